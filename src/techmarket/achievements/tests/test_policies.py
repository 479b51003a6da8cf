"""Who sees and does what: the visibility matrix (state × 密级 × role) and the smaller policy questions.

The SQL form (visible_q, used by lists) and the Python form (can_view, used by detail pages) must
agree for every case; both are checked against rules written here from issue 2 §3.
"""

from __future__ import annotations

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.models import User
from techmarket.accounts.policies import ANONYMOUS, forget_principal, principal_of
from techmarket.accounts.tests.factories import user_with_role
from techmarket.achievements import policies, services
from techmarket.achievements.choices import AchievementState as S
from techmarket.achievements.models import Achievement
from techmarket.achievements.tests.cast import CHAIN_REVIEWERS, OWNER_MEMBERS, ROLES, build_cast
from techmarket.achievements.tests.factories import achievement_in_state, draft

pytestmark = pytest.mark.django_db

NEVER_SUBMITTED = {S.DRAFT, S.WITHDRAWN}  # the factory withdraws its WITHDRAWN records as drafts


def expected_visible(role: str, state: str, confidentiality: str) -> bool:
    if state == S.PUBLISHED and confidentiality == "public":
        return True
    if role in OWNER_MEMBERS:
        return True
    if role in CHAIN_REVIEWERS:
        return state not in NEVER_SUBMITTED
    if role == "grantee":
        return state == S.PUBLISHED
    return False


@pytest.mark.parametrize("confidentiality", ["public", "restricted"])
@pytest.mark.parametrize("state", S.values)
def test_visibility_matrix(state, confidentiality, regions, reviewers, organisation, applicant):
    regions["province"].requires_province_review = True
    regions["province"].save()
    cast = build_cast(regions, reviewers, organisation, applicant)
    cast["grantee"] = user_with_role(Role.EXPERT, username="grantee")
    record = achievement_in_state(
        state,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        confidentiality=confidentiality,
    )
    services.access_grant(actor=applicant, achievement=record, user=cast["grantee"])
    record = Achievement.objects.get(pk=record.pk)
    expected, by_sql, by_python = {}, {}, {}
    for role in (*ROLES, "grantee"):
        principal = principal_of(cast[role])
        expected[role] = expected_visible(role, state, confidentiality)
        by_sql[role] = Achievement.objects.filter(policies.visible_q(principal), pk=record.pk).exists()
        by_python[role] = policies.can_view(principal, record)
    assert by_sql == expected
    assert by_python == expected


def test_reviewers_keep_seeing_a_record_withdrawn_after_submission(regions, reviewers, applicant):
    record = achievement_in_state(
        S.CITY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    record = services.achievement_withdraw(actor=applicant, achievement=record)
    for level in ("county", "city", "province"):
        assert policies.can_view(principal_of(reviewers[level]), record)
    assert not policies.can_view(principal_of(reviewers["other_city"]), record)


def test_city_filed_record_is_invisible_to_county_reviewers(regions, reviewers, applicant):
    record = achievement_in_state(
        S.CITY_REVIEW,
        applicant=applicant,
        region=regions["city"],
        reviewers=reviewers,
        confidentiality="restricted",
    )
    assert not policies.can_view(principal_of(reviewers["county"]), record)
    assert policies.can_view(principal_of(reviewers["city"]), record)


class TestPrincipal:
    def test_anonymous(self):
        assert principal_of(None) is ANONYMOUS
        assert not ANONYMOUS.is_authenticated
        assert not ANONYMOUS.is_reviewer
        assert ANONYMOUS.all_review_codes() == frozenset()

    def test_reviewer_scopes_by_level(self, regions, reviewers):
        user = reviewers["county"]
        user.roles.create(role=Role.REVIEWER, region=regions["other_city"])
        principal = principal_of(User.objects.get(pk=user.pk))
        assert principal.review_scopes == {"county": {"990102"}, "city": {"990200"}}
        assert principal.reviews("county", "990102")
        assert not principal.reviews("city", "990100")
        assert not principal.reviews("county", None)
        assert principal.all_review_codes() == {"990102", "990200"}

    def test_cached_until_forgotten(self, regions, applicant):
        first = principal_of(applicant)
        assert principal_of(applicant) is first
        applicant.roles.create(role=Role.ORG_ADMIN)
        assert not principal_of(applicant).has_role(Role.ORG_ADMIN)
        forget_principal(applicant)
        assert principal_of(applicant).has_role(Role.ORG_ADMIN)

    def test_superuser_is_platform_admin(self, db):
        user = User.objects.create_superuser("root", "root@example.org", "x-Very-long-pass-1")
        assert principal_of(user).is_platform_admin


class TestSmallerPolicies:
    def test_who_files(self, regions, reviewers, organisation, applicant):
        cast = build_cast(regions, reviewers, organisation, applicant)
        filers = {role for role in ROLES if policies.can_file(principal_of(cast[role]))}
        assert filers == {"applicant", "org_admin", "other_applicant"}

    def test_who_edits_a_draft(self, regions, reviewers, organisation, applicant):
        cast = build_cast(regions, reviewers, organisation, applicant)
        record = draft(applicant=applicant, region=regions["county"])
        editors = {role for role in ROLES if policies.can_edit(principal_of(cast[role]), record)}
        assert editors == {"applicant", "org_admin"}

    def test_who_manages_access(self, regions, reviewers, organisation, applicant):
        cast = build_cast(regions, reviewers, organisation, applicant)
        cast["colleague"] = user_with_role(Role.APPLICANT, organisation=organisation)
        record = draft(applicant=applicant, region=regions["county"])
        managers = {role for role in cast if policies.can_manage_access(principal_of(cast[role]), record)}
        assert managers == {"applicant", "org_admin"}

    def test_who_sees_the_overdue_list(self, regions, reviewers, organisation, applicant):
        cast = build_cast(regions, reviewers, organisation, applicant)
        seers = {role for role in ROLES if policies.can_see_overdue_list(principal_of(cast[role]))}
        assert seers == {"county_reviewer", "city_reviewer", "province_reviewer", "other_city_reviewer"}

    def test_unknown_transition_name_is_never_permitted(self, regions, reviewers, applicant):
        record = draft(applicant=applicant, region=regions["county"])
        assert not policies.can_transition(applicant, "publish", record)
        assert not policies.can_transition(principal_of(applicant), "approve", record)
