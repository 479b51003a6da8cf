"""The policies pages ask (menus, buttons), per role: who sees the review desk, the own list, duplicates."""

from __future__ import annotations

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import principal_of
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements import policies, selectors
from techmarket.achievements.choices import AchievementState as S
from techmarket.achievements.models import Achievement
from techmarket.achievements.tests.cast import ROLES, build_cast
from techmarket.achievements.tests.factories import achievement_in_state

pytestmark = pytest.mark.django_db

REVIEWERS = {"county_reviewer", "city_reviewer", "province_reviewer", "other_city_reviewer"}


def who(cast, check) -> set[str]:
    return {role for role in ROLES if check(principal_of(cast[role]))}


def test_review_queue_and_overdue_list_are_the_reviewers(regions, reviewers, organisation, applicant):
    cast = build_cast(regions, reviewers, organisation, applicant)
    assert who(cast, policies.can_see_review_queue) == REVIEWERS
    assert who(cast, policies.can_see_overdue_list) == REVIEWERS


def test_own_list_is_offered_to_all_but_enterprise_users(regions, reviewers, organisation, applicant):
    cast = build_cast(regions, reviewers, organisation, applicant)
    assert who(cast, policies.can_list_own) == set(ROLES) - {"enterprise", "anonymous"}
    enterprise_admin = user_with_role(Role.ORG_ADMIN, organisation=cast["enterprise"].organisation)
    assert policies.can_list_own(principal_of(enterprise_admin))


def test_duplicates_are_for_the_records_reviewers(regions, reviewers, organisation, applicant):
    cast = build_cast(regions, reviewers, organisation, applicant)
    record = achievement_in_state(
        S.COUNTY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    seers = who(cast, lambda p: policies.can_see_duplicates(p, record))
    assert seers == {"county_reviewer", "city_reviewer", "province_reviewer"}


def test_duplicate_links_only_to_records_the_viewer_may_open(regions, reviewers, organisation, applicant):
    """A county reviewer sees the duplicate list, but only records of their chain are links."""
    elsewhere = OrganisationFactory(region=regions["other_county"])
    other_applicant = user_with_role(Role.APPLICANT, organisation=elsewhere)
    near = achievement_in_state(
        S.COUNTY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    far = achievement_in_state(
        S.COUNTY_REVIEW, applicant=other_applicant, region=regions["other_county"], reviewers=reviewers
    )
    record = achievement_in_state(
        S.COUNTY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    candidates = [
        {"id": near.pk, "name": near.name, "score": 0.9},
        {"id": far.pk, "name": far.name, "score": 0.8},
    ]
    Achievement.objects.filter(pk=record.pk).update(duplicate_candidates=candidates)
    record.refresh_from_db()
    county = principal_of(reviewers["county"])
    assert [(item["id"], item["visible"]) for item in selectors.duplicate_candidates(county, record)] == [
        (near.pk, True),
        (far.pk, False),
    ]
    assert selectors.duplicate_candidates(principal_of(applicant), record) == []
