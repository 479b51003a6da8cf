"""Who a user is to the platform: roles, organisation and reviewer scopes, in one place.

Other apps ask :func:`principal_of` instead of reading role rows themselves, so role logic stays here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from techmarket.accounts.choices import REGIONAL_ROLES, OrganisationStatus, Role
from techmarket.core.choices import RegionLevel
from techmarket.core.policy_registry import policy


@dataclass(frozen=True)
class Principal:
    """The caller as the policies see it. Anonymous visitors are a Principal with no user."""

    user_id: int | None = None
    organisation_id: int | None = None
    organisation_verified: bool = False
    organisation_kind: str = ""
    roles: frozenset[str] = frozenset()
    # Region codes the user reviews, per level: {"county": {...}, "city": {...}, "province": {...}}
    review_scopes: dict[str, frozenset[str]] = field(default_factory=dict)
    # Region codes of the technology contract registries (登记机构) the user works for.
    registry_codes: frozenset[str] = frozenset()
    is_superuser: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_platform_admin(self) -> bool:
        return self.is_superuser or Role.PLATFORM_ADMIN in self.roles

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def reviews(self, level: str, region_code: str | None) -> bool:
        return region_code is not None and region_code in self.review_scopes.get(level, frozenset())

    @property
    def is_reviewer(self) -> bool:
        return any(self.review_scopes.values())

    def registers(self, chain_codes: Iterable[str]) -> bool:
        """Whether the user is a registrar of a region on the given chain (a record's region and ancestors)."""
        return any(code in self.registry_codes for code in chain_codes if code)

    @property
    def is_registrar(self) -> bool:
        return bool(self.registry_codes)

    def all_review_codes(self) -> frozenset[str]:
        return frozenset().union(*self.review_scopes.values()) if self.review_scopes else frozenset()


ANONYMOUS = Principal()


def principal_of(user: Any) -> Principal:
    """Build (once per user object) the Principal of a Django user or AnonymousUser."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_techmarket_principal", None)
    if isinstance(cached, Principal):
        return cached
    roles: set[str] = set()
    scopes: dict[str, set[str]] = {level: set() for level in RegionLevel.values}
    registries: set[str] = set()
    # A caller building many principals prefetches the roles (``with_principal_data``): no query here.
    prefetched = getattr(user, "_prefetched_objects_cache", {}).get("roles")
    for assignment in prefetched if prefetched is not None else user.roles.select_related("region"):
        roles.add(assignment.role)
        if assignment.role == Role.REVIEWER and assignment.region is not None:
            scopes[assignment.region.level].add(assignment.region.code)
        if assignment.role == Role.REGISTRAR and assignment.region is not None:
            registries.add(assignment.region.code)
    organisation = user.organisation
    principal = Principal(
        user_id=user.pk,
        organisation_id=user.organisation_id,
        organisation_verified=bool(organisation and organisation.status == OrganisationStatus.VERIFIED),
        organisation_kind=organisation.kind if organisation else "",
        roles=frozenset(roles),
        review_scopes={level: frozenset(codes) for level, codes in scopes.items() if codes},
        registry_codes=frozenset(registries),
        is_superuser=bool(user.is_superuser),
    )
    user._techmarket_principal = principal
    return principal


def with_principal_data(users: QuerySet[Any]) -> QuerySet[Any]:
    """Users with what :func:`principal_of` reads (roles, their regions, the organisation) fetched in two
    queries for the whole set, for callers that check a policy per user of a list."""
    from techmarket.accounts.models import RoleAssignment

    return users.select_related("organisation").prefetch_related(
        Prefetch("roles", queryset=RoleAssignment.objects.select_related("region"))
    )


def forget_principal(user: Any) -> None:
    """Drop the cached Principal after the user's roles or organisation changed."""
    if hasattr(user, "_techmarket_principal"):
        del user._techmarket_principal


@policy
def can_verify_organisation(principal: Principal) -> bool:
    """Verifying or rejecting an organisation's registration is the platform administrators' alone."""
    return principal.is_platform_admin


def can_transition_organisation(actor: Any, name: str, organisation: Any) -> bool:
    """ORGANISATION_WORKFLOW's permission: verification is the platform administrators'."""
    return name in ("verify", "reject") and can_verify_organisation(principal_of(actor))


@policy
def can_manage_members(principal: Principal, organisation_id: int) -> bool:
    """An organisation's members: managed by its own organisation administrators and platform administrators."""
    return principal.is_platform_admin or (
        principal.organisation_id == organisation_id and principal.has_role(Role.ORG_ADMIN)
    )


def can_grant_role(principal: Principal, role: str) -> bool:
    """Org admins may make colleagues applicants, enterprise users or brokers; the rest is the platform's."""
    if principal.is_platform_admin:
        return True
    return principal.has_role(Role.ORG_ADMIN) and role in {Role.APPLICANT, Role.ENTERPRISE, Role.BROKER}


def can_see_personal_data(principal: Principal, owner_user_id: int | None) -> bool:
    """Unmasked phone and ID numbers: the person themself and platform administrators only."""
    return principal.is_platform_admin or (owner_user_id is not None and principal.user_id == owner_user_id)


@policy
def can_manage_roles(principal: Principal) -> bool:
    """The role page (grant and revoke any role, reviewers with their region): platform administrators."""
    return principal.is_platform_admin


def can_grant_to_new_member(principal: Principal, role: str) -> bool:
    """Roles offered when opening a colleague's account: reviewer and platform roles come from the role page."""
    return can_grant_role(principal, role) and role not in {*REGIONAL_ROLES, Role.PLATFORM_ADMIN}


def two_factor_required(principal: Principal) -> bool:
    """Whether signing in needs a second factor: a role listed in TECHMARKET_2FA_ROLES (superusers count as
    platform administrators)."""
    roles = settings.TECHMARKET["TWO_FACTOR_ROLES"]
    if not roles or not principal.is_authenticated:
        return False
    if principal.is_superuser and Role.PLATFORM_ADMIN in roles:
        return True
    return any(principal.has_role(role) for role in roles)


@policy
def can_reset_two_factor(principal: Principal) -> bool:
    """Resetting another user's second factor (a lost phone): platform administrators only."""
    return principal.is_platform_admin
