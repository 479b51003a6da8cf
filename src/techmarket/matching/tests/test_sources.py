"""Matching reads what the domain apps register (core.matchsources), not their models."""

from __future__ import annotations

from techmarket.core import matchsources
from techmarket.experts.types import ExpertProfile
from techmarket.matching.choices import Corpus, TargetKind


def test_every_corpus_has_exactly_one_registered_source():
    assert sorted(source.corpus for source in matchsources.sources()) == sorted(Corpus.values)


def test_every_suggestion_target_kind_has_a_source_with_names_and_targets():
    for kind in TargetKind.values:
        source = matchsources.source_of_kind(kind)
        assert source is not None, kind
        assert source.labels is not None
        assert source.target is not None


def test_restricted_corpora_say_who_may_see_their_restricted_records():
    assert matchsources.source(Corpus.ACHIEVEMENTS).visible_restricted is not None
    assert matchsources.source(Corpus.DEMANDS).visible_restricted is not None
    assert matchsources.source(Corpus.EXPERTS).visible_restricted is None


def test_the_change_log_watches_what_the_domains_declare():
    assert matchsources.watches_of("achievements.achievement")
    assert matchsources.watches_of("demands.demand")
    assert matchsources.watches_of("experts.expertprofile")
    assert matchsources.watches_of("accounts.organisation")
    assert matchsources.link_watches_of(ExpertProfile.achievements.through._meta.label_lower)
