"""The platform's own index build and ranking path use the character view (issue 9 §3)."""

from __future__ import annotations

import pytest

from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of
from techmarket.matching import indexes, ranking
from techmarket.matching.choices import Corpus
from techmarket.matching.engine import analysis

pytestmark = pytest.mark.django_db

# Alike but for one term; the demand says 餐桌 where the first says 桌子: only the character 桌 is shared.
TABLE = {"name": "户外实木桌子的伸缩结构", "keywords": "户外，实木", "abstract": "桌子可以延长，结构结实。"}
CHAIR = {"name": "户外实木椅子的伸缩结构", "keywords": "户外，实木", "abstract": "椅子可以折叠，结构结实。"}
DEMAND = "我们想找户外实木餐桌的伸缩结构"


def ranked(registry: indexes.Registry) -> list[ranking.Ranked]:
    loaded = registry.get(Corpus.ACHIEVEMENTS)
    return ranking.rank(loaded.index, ranking.Need(text=DEMAND), k=2, profile_of=loaded.profile_of)


def test_built_and_rebuilt_indexes_rank_by_the_character_view(regions, reviewers):
    applicant = applicant_of(region=regions["county"])
    published = {
        key: achievement_in_state(
            AchievementState.PUBLISHED,
            applicant=applicant,
            region=regions["county"],
            reviewers=reviewers,
            **fields,
        )
        for key, fields in (("chair", CHAIR), ("table", TABLE))  # the chair first: ties go to it
    }
    expected = [str(published["table"].pk), str(published["chair"].pk)]
    built = ranked(indexes.Registry())  # built from the published records in this process
    assert [r.doc_id for r in built] == expected
    assert built[0].features["text_character"] > built[1].features["text_character"] > 0.0
    indexes.rebuild(Corpus.ACHIEVEMENTS)  # saved as a snapshot, loaded by a fresh process
    loaded = indexes.Registry().get(Corpus.ACHIEVEMENTS)
    assert analysis.CHARACTER in loaded.index._average_lengths
    assert [r.doc_id for r in ranked(indexes.Registry())] == expected
