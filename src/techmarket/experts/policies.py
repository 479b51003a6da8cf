"""Who may see and change expert profiles — the only place this app's role logic lives.

Active profiles are public; contact details are unmasked only for the expert, those who manage the
profile, platform administrators and reviewers. Linked achievements follow achievements' own
visibility rule (achievements.policies.visible_q), never this app's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import Principal, principal_of
from techmarket.core.policy_registry import policy
from techmarket.experts.models import ExpertProfile


def is_own(principal: Principal, expert: ExpertProfile) -> bool:
    """Whether the profile is linked to the principal's own login."""
    return principal.is_authenticated and expert.user_id is not None and expert.user_id == principal.user_id


def is_org_admin_of(principal: Principal, organisation_id: int | None) -> bool:
    """Whether the principal administers that organisation (a profile without one has no such admin)."""
    return (
        organisation_id is not None
        and principal.organisation_id == organisation_id
        and principal.has_role(Role.ORG_ADMIN)
    )


def visible_q(principal: Principal) -> Q:
    """Active profiles for everyone; inactive ones only for those who may edit them."""
    if principal.is_platform_admin:
        return Q()
    q = Q(is_active=True)
    if principal.user_id is not None:
        q |= Q(user_id=principal.user_id)
    if principal.organisation_id is not None and principal.has_role(Role.ORG_ADMIN):
        q |= Q(organisation_id=principal.organisation_id)
    return q


def can_view(principal: Principal, expert: ExpertProfile) -> bool:
    """One profile's :func:`visible_q`: an inactive profile only to those who may edit it."""
    return expert.is_active or can_edit(principal, expert)


@policy
def can_create(principal: Principal) -> bool:
    """Platform administrators (anyone's profile) and organisation administrators (their colleagues')."""
    return principal.is_platform_admin or (
        principal.organisation_id is not None and principal.has_role(Role.ORG_ADMIN)
    )


@policy
def can_create_own(principal: Principal) -> bool:
    """Experts may open their own profile, linked to their login."""
    return principal.is_authenticated and principal.has_role(Role.EXPERT)


@policy
def can_edit(principal: Principal, expert: ExpertProfile) -> bool:
    """The expert themself, their organisation's administrators and platform administrators."""
    return (
        principal.is_platform_admin
        or is_own(principal, expert)
        or is_org_admin_of(principal, expert.organisation_id)
    )


def can_assign_organisation(principal: Principal, organisation_id: int | None) -> bool:
    """Outside the platform administrators, a profile can belong only to the actor's own organisation."""
    return (
        principal.is_platform_admin or organisation_id is None or organisation_id == principal.organisation_id
    )


def can_designate(principal: Principal) -> bool:
    """科技特派员 is an official designation, and linking a login to a profile grants it: platform only.

    The profile form offers those fields (and the organisation) only to whoever passes this.
    """
    return principal.is_platform_admin


@policy
def can_set_active(principal: Principal) -> bool:
    """Taking a profile out of the pool or back: platform administrators only."""
    return principal.is_platform_admin


def can_transition(actor: Any, name: str, expert: ExpertProfile) -> bool:
    """ACTIVATION_WORKFLOW's permission: taking a profile out of the pool or back is the platform's."""
    return name in ("activate", "deactivate") and can_set_active(principal_of(actor))


def can_see_contact(principal: Principal, expert: ExpertProfile) -> bool:
    """Unmasked phone and e-mail. Editors are included: the edit form necessarily shows the values."""
    return principal.is_reviewer or can_edit(principal, expert)
