"""Accounts writes: self-registration, organisation verification, members and role grants."""

from __future__ import annotations

from typing import Any

import pytest

from techmarket.accounts import selectors, services
from techmarket.accounts.choices import OrganisationKind, OrganisationStatus, Role
from techmarket.accounts.models import Organisation, RoleAssignment, User
from techmarket.accounts.policies import principal_of
from techmarket.accounts.tests.factories import PASSWORD, OrganisationFactory, user_with_role
from techmarket.achievements import services as achievement_services
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import draft
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import AuditEvent

pytestmark = pytest.mark.django_db

# Valid per GB 32100-2015; the first two are codes published as examples, the others computed here.
VALID_CODES = ["91350100M000100Y43", "91110000802100433B", "91420100MA4K2XY3B9", "91110108MA01ABCDEN"]


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Organisation, User, RoleAssignment, AuditEvent))


def register(regions: dict[str, Any], **overrides: Any) -> User:
    data: dict[str, Any] = {
        "name": " 华中新材料研究院 ",
        "kind": OrganisationKind.INSTITUTE,
        "credit_code": VALID_CODES[0],
        "region": regions["city"],
        "username": "zhaoliu",
        "password": "Graphene-2026-ok",
        "display_name": "赵六",
        "email": "zhaoliu@example.org",
        "phone": "13912345678",
    }
    data.update(overrides)
    return services.organisation_register(**data)


def refused_registration(regions: dict[str, Any], **overrides: Any) -> DomainError:
    before = counts()
    with pytest.raises(DomainError) as caught:
        register(regions, **overrides)
    assert counts() == before
    return caught.value


class TestRegistration:
    def test_creates_a_pending_organisation_and_its_administrator(self, regions):
        user = register(regions, credit_code=f" {VALID_CODES[2].lower()} ")
        organisation = user.organisation
        assert organisation.name == "华中新材料研究院"
        assert organisation.credit_code == VALID_CODES[2]
        assert organisation.status == OrganisationStatus.PENDING
        assert organisation.verified_at is None
        assert user.check_password("Graphene-2026-ok")
        assert principal_of(user).roles == {Role.ORG_ADMIN, Role.APPLICANT}
        assert not principal_of(user).organisation_verified
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert actions == {"accounts.organisation.register", "accounts.user.register"}

    @pytest.mark.parametrize(
        ("kind", "roles"),
        [
            (OrganisationKind.UNIVERSITY, {Role.ORG_ADMIN, Role.APPLICANT}),
            (OrganisationKind.INSTITUTE, {Role.ORG_ADMIN, Role.APPLICANT}),
            (OrganisationKind.ENTERPRISE, {Role.ORG_ADMIN, Role.ENTERPRISE, Role.APPLICANT}),
            (OrganisationKind.AGENCY, {Role.ORG_ADMIN, Role.BROKER, Role.APPLICANT}),
            (OrganisationKind.GOVERNMENT, {Role.ORG_ADMIN, Role.APPLICANT}),
        ],
    )
    def test_roles_by_kind(self, kind, roles, regions):
        assert principal_of(register(regions, kind=kind)).roles == roles

    @pytest.mark.parametrize("code", VALID_CODES)
    def test_valid_codes_are_accepted(self, code, regions):
        assert register(regions, credit_code=code).organisation.credit_code == code

    @pytest.mark.parametrize(
        "code",
        [
            "91350100M000100Y44",  # wrong check character
            "91110000802100433A",  # wrong check character
            "91350100M000100Y4",  # 17 characters
            "91350100M000100Y430",  # 19 characters
            "9135010OM000100Y43",  # O is not in the alphabet
            "91350100M00010IY43",  # nor I
            "",
        ],
    )
    def test_invalid_codes_are_refused(self, code, regions):
        error = refused_registration(regions, credit_code=code)
        assert error.code == "invalid"
        assert "credit_code" in error.fields

    def test_duplicate_code_is_refused(self, regions):
        register(regions)
        error = refused_registration(regions, credit_code=VALID_CODES[0].lower(), username="other")
        assert error.code == "organisation_exists"
        assert "credit_code" in error.fields

    def test_taken_username_is_refused(self, regions, applicant):
        assert refused_registration(regions, username=applicant.username).code == "username_taken"

    @pytest.mark.parametrize("password", ["12345678", "password", "Ab1!", "zhaoliu1", "qwertyuiop"])
    def test_weak_password_is_refused_and_nothing_stored(self, password, regions):
        error = refused_registration(regions, password=password)
        assert error.code == "invalid"
        assert list(error.fields) == ["password"]

    def test_unknown_kind_is_refused(self, regions):
        assert "kind" in refused_registration(regions, kind="club").fields

    def test_registered_user_files_drafts_but_submits_only_once_verified(self, regions):
        user = register(regions)
        record = draft(applicant=user, region=regions["city"])
        with pytest.raises(NotPermitted):
            achievement_services.achievement_submit(actor=user, achievement=record)
        services.organisation_verify(
            actor=user_with_role(Role.PLATFORM_ADMIN), organisation=user.organisation
        )
        user = User.objects.get(pk=user.pk)
        record = achievement_services.achievement_submit(actor=user, achievement=record)
        assert record.state == AchievementState.CITY_REVIEW


class TestVerification:
    @pytest.fixture
    def pending(self, regions):
        return OrganisationFactory(region=regions["county"], status=OrganisationStatus.PENDING)

    def test_platform_admin_verifies(self, pending):
        admin = user_with_role(Role.PLATFORM_ADMIN)
        organisation = services.organisation_verify(actor=admin, organisation=pending, reason="材料齐全")
        assert organisation.status == OrganisationStatus.VERIFIED
        assert organisation.verified_at is not None
        event = AuditEvent.objects.get(action="accounts.organisation.verify")
        assert (event.actor, event.from_state, event.to_state, event.reason) == (
            admin,
            OrganisationStatus.PENDING,
            OrganisationStatus.VERIFIED,
            "材料齐全",
        )

    def test_superuser_verifies(self, pending):
        root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        assert services.organisation_verify(actor=root, organisation=pending).is_verified

    def test_reject_needs_a_reason(self, pending):
        admin = user_with_role(Role.PLATFORM_ADMIN)
        for reason in ("", "   "):
            with pytest.raises(DomainError) as caught:
                services.organisation_reject(actor=admin, organisation=pending, reason=reason)
            assert caught.value.code == "reason_required"
        assert Organisation.objects.get(pk=pending.pk).status == OrganisationStatus.PENDING
        assert not AuditEvent.objects.exists()
        organisation = services.organisation_reject(
            actor=admin, organisation=pending, reason="营业执照不清晰"
        )
        assert organisation.status == OrganisationStatus.REJECTED
        assert AuditEvent.objects.get().reason == "营业执照不清晰"

    def test_only_platform_admins_decide(self, pending, regions, reviewers, organisation):
        others = [
            user_with_role(Role.ORG_ADMIN, organisation=pending),
            user_with_role(Role.ORG_ADMIN, organisation=organisation),
            reviewers["province"],
            user_with_role(Role.EXPERT),
        ]
        for actor in others:
            with pytest.raises(NotPermitted):
                services.organisation_verify(actor=actor, organisation=pending)
            with pytest.raises(NotPermitted):
                services.organisation_reject(actor=actor, organisation=pending, reason="不行")
        assert Organisation.objects.get(pk=pending.pk).status == OrganisationStatus.PENDING
        assert not AuditEvent.objects.exists()

    def test_pending_queue_is_for_platform_admins(self, pending, organisation, applicant):
        assert list(selectors.organisations_pending(principal_of(user_with_role(Role.PLATFORM_ADMIN)))) == [
            pending
        ]
        assert not selectors.organisations_pending(principal_of(applicant)).exists()


class TestMembers:
    @pytest.fixture
    def admin(self, organisation):
        return user_with_role(Role.ORG_ADMIN, organisation=organisation, username="unit_admin")

    def create(self, actor, organisation, **overrides):
        data = {
            "username": "colleague",
            "password": "Tongshi-pass-42",
            "display_name": "同事",
            "email": "colleague@example.org",
            "roles": [Role.APPLICANT],
        }
        data.update(overrides)
        return services.member_create(actor=actor, organisation=organisation, **data)

    def test_org_admin_opens_an_account(self, admin, organisation):
        user = self.create(admin, organisation, roles=[Role.APPLICANT, Role.BROKER])
        assert user.organisation == organisation
        assert principal_of(user).roles == {Role.APPLICANT, Role.BROKER}
        assert AuditEvent.objects.get(action="accounts.user.create").data == {
            "roles": ["applicant", "broker"]
        }

    @pytest.mark.parametrize("role", [Role.REVIEWER, Role.PLATFORM_ADMIN, Role.ORG_ADMIN, Role.EXPERT])
    def test_org_admin_cannot_grant_platform_roles(self, role, admin, organisation):
        before = counts()
        with pytest.raises(NotPermitted):
            self.create(admin, organisation, roles=[Role.APPLICANT, role])
        assert counts() == before

    def test_only_the_organisations_own_admin(self, admin, organisation, applicant, regions):
        other_admin = user_with_role(Role.ORG_ADMIN, organisation=OrganisationFactory(region=regions["city"]))
        before = counts()
        for actor in (other_admin, applicant):
            with pytest.raises(NotPermitted):
                self.create(actor, organisation)
        assert counts() == before

    def test_weak_password_and_taken_username(self, admin, organisation, applicant):
        before = counts()
        with pytest.raises(DomainError) as caught:
            self.create(admin, organisation, password="123")
        assert list(caught.value.fields) == ["password"]
        with pytest.raises(DomainError) as caught:
            self.create(admin, organisation, username=applicant.username)
        assert caught.value.code == "username_taken"
        assert counts() == before

    def test_role_grants_within_the_organisation(self, admin, organisation, applicant, regions):
        grant = services.role_grant(actor=admin, user=applicant, role=Role.BROKER)
        assert principal_of(applicant).has_role(Role.BROKER)
        assert grant.region is None
        stranger = user_with_role(Role.APPLICANT, organisation=OrganisationFactory(region=regions["city"]))
        with pytest.raises(NotPermitted):
            services.role_grant(actor=admin, user=stranger, role=Role.BROKER)
        with pytest.raises(NotPermitted):
            services.role_grant(actor=admin, user=applicant, role=Role.REVIEWER, region=regions["county"])
        assert not RoleAssignment.objects.filter(user=stranger, role=Role.BROKER).exists()
        services.role_revoke(actor=admin, assignment=grant)
        assert not RoleAssignment.objects.filter(pk=grant.pk).exists()
        assert [e.action for e in AuditEvent.objects.all()] == ["accounts.role.grant", "accounts.role.revoke"]

    def test_reviewer_roles_come_from_the_platform_with_a_region(self, regions, applicant):
        platform = user_with_role(Role.PLATFORM_ADMIN)
        expert = user_with_role(Role.EXPERT)
        with pytest.raises(DomainError) as caught:
            services.role_grant(actor=platform, user=expert, role=Role.REVIEWER)
        assert caught.value.code == "region_required"
        services.role_grant(actor=platform, user=expert, role=Role.REVIEWER, region=regions["city"])
        assert principal_of(expert).reviews("city", "990100")

    def test_org_admin_cannot_revoke_a_reviewer_role(self, admin, organisation, regions):
        colleague = user_with_role(Role.REVIEWER, organisation=organisation, region=regions["county"])
        assignment = colleague.roles.get()
        with pytest.raises(NotPermitted):
            services.role_revoke(actor=admin, assignment=assignment)
        assert RoleAssignment.objects.filter(pk=assignment.pk).exists()

    def test_members_are_listed_to_colleagues_only(self, admin, organisation, applicant, reviewers):
        members = selectors.organisation_members(principal_of(applicant), organisation)
        assert set(members) == {admin, applicant}
        assert not selectors.organisation_members(principal_of(reviewers["city"]), organisation).exists()
