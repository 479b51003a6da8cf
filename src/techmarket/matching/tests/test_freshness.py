"""Every process sees a published or changed record at its next ranking, without a restart."""

from __future__ import annotations

import pytest
from django.utils import timezone

from techmarket.achievements import services as achievements
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of
from techmarket.experts import services as expert_services
from techmarket.experts.tests.factories import expert, platform_admin
from techmarket.matching import indexes, ranking
from techmarket.matching.choices import Corpus
from techmarket.matching.models import IndexChange, IndexSnapshot

pytestmark = pytest.mark.django_db


def ids(registry: indexes.Registry, text: str) -> list[str]:
    loaded = registry.get(Corpus.ACHIEVEMENTS)
    return [
        r.doc_id
        for r in ranking.rank(loaded.index, ranking.Need(text=text), k=5, profile_of=loaded.profile_of)
    ]


def test_a_publication_reaches_every_process_at_its_next_ranking(regions, reviewers):
    web1, web2 = indexes.Registry(), indexes.Registry()
    assert ids(web1, "石墨烯导热膜") == []
    assert ids(web2, "石墨烯导热膜") == []
    applicant = applicant_of(region=regions["county"])
    published = achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    assert ids(web1, "石墨烯导热膜") == [str(published.pk)]
    assert ids(web2, "石墨烯导热膜") == [str(published.pk)]
    achievements.achievement_revoke(actor=reviewers["city"], achievement=published, reason="信息有误")
    assert ids(web1, "石墨烯导热膜") == []
    assert ids(web2, "石墨烯导热膜") == []


def test_drafts_are_never_indexed(regions, reviewers):
    applicant = applicant_of(region=regions["county"])
    achievement_in_state(
        AchievementState.CITY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    assert ids(indexes.Registry(), "石墨烯导热膜") == []


def test_processes_load_a_rebuilt_snapshot_and_apply_later_changes(regions, reviewers):
    applicant = applicant_of(region=regions["county"])
    first = achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    web = indexes.Registry()
    assert ids(web, "石墨烯导热膜") == [str(first.pk)]
    snapshot = indexes.rebuild(Corpus.ACHIEVEMENTS)
    assert snapshot.documents == 1
    assert web.get(Corpus.ACHIEVEMENTS).snapshot == snapshot.pk
    second = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name="石墨烯导热膜卷对卷连续生产线",
    )
    assert set(ids(web, "石墨烯导热膜")) == {str(first.pk), str(second.pk)}
    assert set(ids(indexes.Registry(), "石墨烯导热膜")) == {str(first.pk), str(second.pk)}


def test_old_snapshots_are_pruned(regions, reviewers):
    for _ in range(indexes.KEEP_SNAPSHOTS + 2):
        indexes.rebuild(Corpus.ACHIEVEMENTS)
    assert IndexSnapshot.objects.filter(corpus=Corpus.ACHIEVEMENTS).count() == indexes.KEEP_SNAPSHOTS


def test_stale_corpora_are_rebuilt_and_missed_demands_matched(regions, reviewers):
    from techmarket.demands.choices import DemandState
    from techmarket.demands.tests.factories import demand_in_state, enterprise_user
    from techmarket.matching import services
    from techmarket.matching.models import Suggestion

    applicant = applicant_of(region=regions["county"])
    achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    assert Corpus.ACHIEVEMENTS in services.indexes_rebuild_stale(after=1)
    assert services.indexes_rebuild_stale(after=1) == []
    demand = demand_in_state(
        DemandState.PUBLISHED,
        enterprise=enterprise_user(regions["county"]),
        region=regions["county"],
        reviewer=reviewers["county"],
    )
    assert not Suggestion.objects.filter(demand=demand).exists()  # on_commit never ran inside the test
    assert services.suggestions_catch_up() == 1
    assert Suggestion.objects.filter(demand=demand).exists()


def expert_ids(registry: indexes.Registry, text: str) -> list[str]:
    loaded = registry.get(Corpus.EXPERTS)
    return [match.doc_id for match in loaded.index.match(text, 5)]


def test_an_experts_linked_achievements_reach_every_process_from_either_side(regions, reviewers):
    admin = platform_admin()
    profile = expert(regions["county"], actor=admin, research_fields="", research_keywords="", bio="")
    applicant = applicant_of(region=regions["county"])
    graphene = achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    web1, web2 = indexes.Registry(), indexes.Registry()
    assert expert_ids(web1, "石墨烯导热膜") == []
    expert_services.expert_link_achievements(admin, profile, [graphene.pk])
    assert expert_ids(web1, "石墨烯导热膜") == [str(profile.pk)]
    assert expert_ids(web2, "石墨烯导热膜") == [str(profile.pk)]
    graphene.experts.clear()  # from the achievement's side, as the admin's inline would
    assert expert_ids(web1, "石墨烯导热膜") == []
    assert expert_ids(web2, "石墨烯导热膜") == []


def test_rebuilds_prune_the_changes_every_kept_snapshot_holds_and_processes_stay_fresh(regions, reviewers):
    applicant = applicant_of(region=regions["county"])
    web = indexes.Registry()
    published = []
    for round_ in range(indexes.KEEP_SNAPSHOTS + 1):
        published.append(
            achievement_in_state(
                AchievementState.PUBLISHED,
                applicant=applicant,
                region=regions["county"],
                reviewers=reviewers,
                name=f"石墨烯导热膜第{round_}代",
            )
        )
        assert set(ids(web, "石墨烯导热膜")) == {str(a.pk) for a in published}
        IndexChange.objects.update(created_at=timezone.now() - indexes.LATE_COMMIT_WINDOW * 2)
        indexes.rebuild(Corpus.ACHIEVEMENTS)
    oldest_held = min(IndexSnapshot.objects.values_list("change_id", flat=True))
    changes = IndexChange.objects.filter(corpus=Corpus.ACHIEVEMENTS)
    assert changes.exists()
    assert not changes.filter(id__lt=oldest_held).exists()
    later = achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    expected = {str(a.pk) for a in [*published, later]}
    assert set(ids(web, "石墨烯导热膜")) == expected
    assert set(ids(indexes.Registry(), "石墨烯导热膜")) == expected


def test_a_change_committed_after_a_later_one_still_reaches_every_process(regions, reviewers):
    """PostgreSQL hands out ids at insert: a long transaction may commit below a process's mark."""
    applicant = applicant_of(region=regions["county"])
    first = achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    web = indexes.Registry()
    assert ids(web, "石墨烯导热膜") == [str(first.pk)]
    late = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name="石墨烯导热膜的低温制备",
    )
    # Until its transaction commits, ``late``'s change rows are invisible to other processes ...
    uncommitted = list(IndexChange.objects.filter(corpus=Corpus.ACHIEVEMENTS, doc_id=str(late.pk)))
    IndexChange.objects.filter(pk__in=[change.pk for change in uncommitted]).delete()
    # ... while a later transaction commits a change with a higher id, which the process applies.
    IndexChange.objects.create(
        id=max(c.pk for c in uncommitted) + 10, corpus=Corpus.ACHIEVEMENTS, doc_id=str(first.pk)
    )
    assert ids(web, "石墨烯导热膜") == [str(first.pk)]
    assert web.get(Corpus.ACHIEVEMENTS).applied > max(c.pk for c in uncommitted)
    IndexChange.objects.bulk_create(uncommitted)  # the long transaction commits, below the mark
    assert set(ids(web, "石墨烯导热膜")) == {str(first.pk), str(late.pk)}
