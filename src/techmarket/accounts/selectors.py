"""Reads for accounts: the queues of the platform administrator, and the users and organisations other
apps look up (by role, by name, by id) — they never query these tables themselves."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.choices import OrganisationStatus, Role
from techmarket.accounts.models import (
    ApiToken,
    Organisation,
    RecoveryCode,
    RoleAssignment,
    TwoFactorDevice,
    User,
)
from techmarket.accounts.policies import Principal, can_verify_organisation, with_principal_data
from techmarket.core.todo import TodoItem, TodoRow, count_and_first


def organisations_pending(principal: Principal) -> QuerySet[Organisation]:
    """Organisations waiting for verification; only platform administrators see the queue."""
    if not principal.is_platform_admin:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(status=OrganisationStatus.PENDING)
        .select_related("region")
        .order_by("created_at")
    )


def organisation_members(principal: Principal, organisation: Organisation) -> QuerySet:
    """An organisation's members with their roles; only its own people and platform administrators see them."""
    if not (principal.is_platform_admin or principal.organisation_id == organisation.pk):
        return organisation.members.none()
    return organisation.members.prefetch_related("roles__region").order_by("username")


def role_assignments(principal: Principal) -> QuerySet[RoleAssignment]:
    """Every role held on the platform, for the platform administrator's role page."""
    if not principal.is_platform_admin:
        return RoleAssignment.objects.none()
    return RoleAssignment.objects.select_related("user", "region").order_by(
        "role", "region_id", "user__username"
    )


# --- Lookups for other apps -------------------------------------------------------------------


def _active(users: QuerySet[User]) -> list[User]:
    """Active users, with what their principals need prefetched: reminders and escalations check the
    demand's visibility per recipient, which must not cost queries per recipient."""
    return list(with_principal_data(users.filter(is_active=True).distinct().order_by("pk")))


def reviewers_at(region_code: str) -> list[User]:
    """Active reviewers of one region (any level), by id."""
    return _active(User.objects.filter(roles__role=Role.REVIEWER, roles__region_id=region_code))


def registrars_of(region_codes: Iterable[str]) -> list[User]:
    """Active technology contract registrars (登记员) of any of the given regions, by id."""
    codes = [code for code in region_codes if code]
    if not codes:
        return []
    return _active(User.objects.filter(roles__role=Role.REGISTRAR, roles__region_id__in=codes))


def org_admins(organisation_id: int | None) -> list[User]:
    """Active administrators of an organisation, by id."""
    if organisation_id is None:
        return []
    return _active(User.objects.filter(organisation_id=organisation_id, roles__role=Role.ORG_ADMIN))


def brokers() -> list[User]:
    """Active technology brokers, by id."""
    return _active(User.objects.filter(roles__role=Role.BROKER))


def platform_admins() -> list[User]:
    """Active platform administrators, by id; the superusers when no one holds the role."""
    return _active(User.objects.filter(roles__role=Role.PLATFORM_ADMIN)) or _active(
        User.objects.filter(is_superuser=True)
    )


def user_by_username(username: str) -> User | None:
    """The user of a login name, or None."""
    return User.objects.filter(username=username).first()


def users_by_id(ids: Iterable[int]) -> dict[int, User]:
    """Users of the given ids (those that exist), keyed by id."""
    return {user.pk: user for user in User.objects.filter(pk__in=list(ids))}


def verified_organisations() -> QuerySet[Organisation]:
    """Organisations whose verification is done (the ones shown and matched publicly)."""
    return Organisation.objects.filter(status=OrganisationStatus.VERIFIED)


def organisations() -> QuerySet[Organisation]:
    """Every organisation (form choices of administrators)."""
    return Organisation.objects.all()


def organisations_by_id(ids: Iterable[int]) -> QuerySet[Organisation]:
    """Organisations of the given ids."""
    return Organisation.objects.filter(pk__in=list(ids))


def verified_organisation_by_credit_code(code: str) -> Organisation | None:
    """The verified organisation holding a unified social credit code, if any (codes are unique)."""
    if not code:
        return None
    return Organisation.objects.filter(status=OrganisationStatus.VERIFIED, credit_code=code).first()


def todo_items(principal: Principal) -> list[TodoItem]:
    """Accounts' work waiting for the principal: organisations waiting for verification (platform
    administrators only), oldest first."""
    if not can_verify_organisation(principal):
        return []
    count, first = count_and_first(organisations_pending(principal))
    return [
        TodoItem(
            key="accounts.organisations",
            title=_("待认证的单位"),
            count=count,
            url=reverse("accounts:organisation_queue"),
            rows=tuple(
                TodoRow(
                    label=organisation.name,
                    url=reverse("accounts:organisation_queue"),
                    note=str(
                        _("%(region)s · %(day)s 注册")
                        % {"region": organisation.region.name, "day": f"{organisation.created_at:%Y-%m-%d}"}
                    ),
                )
                for organisation in first
            ),
        )
    ]


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """A user's API tokens, newest first (live, expired and revoked); only ever the caller's own."""
    return ApiToken.objects.filter(user_id=user.pk).order_by("-created_at")


def two_factor_enrolled(user: User) -> bool:
    """Whether the user has a confirmed authenticator (TOTP device)."""
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def recovery_codes_left(user: User) -> int:
    """How many of the user's recovery codes are still unused."""
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
