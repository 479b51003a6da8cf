"""Achievements registered and demands answered per region and year, read from their apps' selectors."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import timezone

from techmarket.accounts.policies import ANONYMOUS
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.statistics import selectors

pytestmark = pytest.mark.django_db


def test_registered_achievements_are_counted_per_child_region(regions, reviewers, applicant):
    cache.clear()
    item = achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    assert item.registration_number
    year = timezone.localtime(item.published_at).year
    drill = selectors.drilldown(
        ANONYMOUS, selectors.node_for(regions["province"].code), selectors.Period("Y", year)
    )
    assert drill.counts["achievements_registered"] == 1
    assert drill.counts["achievements_transferred"] == 0
    assert drill.counts["demands_answered"] == 0
    nation = selectors.drilldown(ANONYMOUS, selectors.node_for(""), selectors.Period("Y", year))
    assert nation.counts["achievements_registered"] == 1
    city = selectors.drilldown(
        ANONYMOUS, selectors.node_for(regions["city"].code), selectors.Period("Y", year)
    )
    assert city.counts["achievements_registered"] == 1
    child = next(child for child in drill.children if child.code == regions["city"].code)
    assert child.achievements_registered == 1
    assert child.output.contracts == 0
