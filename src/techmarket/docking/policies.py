"""Who may see the response dashboard, set response hours and answer pushes — docking's role logic.

Which demands anyone sees stays the demands app's rule (``demands.policies.visible_q``); this module
only narrows it to the demands a viewer is responsible for.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import Principal, principal_of
from techmarket.core.choices import RegionLevel
from techmarket.core.models import Region
from techmarket.core.policy_registry import policy
from techmarket.demands import policies as demand_policies
from techmarket.docking.models import PushRecipient, ResponseClock

POLICY_LEVELS = (RegionLevel.CITY, RegionLevel.PROVINCE)


@policy
def can_view_dashboard(principal: Principal) -> bool:
    """The response dashboard: reviewers, brokers and platform administrators, who answer demands."""
    return principal.is_platform_admin or principal.is_reviewer or principal.has_role(Role.BROKER)


def dashboard_q(principal: Principal) -> Q:
    """Demands on the viewer's dashboard: their review chain, 公开 ones for brokers, all for admins.

    Always intersected with the demands' own visibility rule, so nothing 受限 leaks into counts.
    """
    if principal.is_platform_admin:
        return Q()
    scope = Q(pk__in=[])
    if principal.is_reviewer:
        scope |= demand_policies.chain_q(principal)
    if principal.has_role(Role.BROKER):
        scope |= demand_policies.public_q()
    return scope & demand_policies.visible_q(principal)


def can_set_policy(principal: Principal, region: Region) -> bool:
    """Platform admins anywhere; province and city reviewers for their region and the ones below it."""
    if principal.is_platform_admin:
        return True
    return any(
        principal.reviews(node.level, node.code) for node in region.chain() if node.level in POLICY_LEVELS
    )


def policy_regions_q(principal: Principal) -> Q:
    """The regions whose hours the principal may set (matches :func:`can_set_policy`)."""
    if principal.is_platform_admin:
        return Q()
    q = Q(pk__in=[])
    for code in principal.review_scopes.get(RegionLevel.PROVINCE, frozenset()):
        q |= Q(pk=code) | Q(parent_id=code) | Q(parent__parent_id=code)
    for code in principal.review_scopes.get(RegionLevel.CITY, frozenset()):
        q |= Q(pk=code) | Q(parent_id=code)
    return q


@policy
def can_manage_policies(principal: Principal) -> bool:
    """The response-hours page: platform administrators and city or province reviewers."""
    return principal.is_platform_admin or any(principal.review_scopes.get(level) for level in POLICY_LEVELS)


def can_answer(principal: Principal, recipient: PushRecipient) -> bool:
    """Only the person the match was addressed to answers it."""
    return principal.user_id is not None and principal.user_id == recipient.user_id


def can_transition_answer(actor: Any, name: str, recipient: PushRecipient) -> bool:
    """ANSWER_WORKFLOW's permission: the addressed person answers."""
    return name == "answer" and can_answer(principal_of(actor), recipient)


def can_transition_clock(actor: Any, name: str, clock: ResponseClock) -> bool:
    """CLOCK_WORKFLOW's permission.

    The clock starts as an effect of a publication whose permission was already checked (whoever
    published); reminders and escalations are the system's (``actor`` None, the periodic tick); the
    clock stops when someone allowed to respond to the demand pushes a response.
    """
    if name == "start":
        return True
    if name in ("remind", "escalate"):
        return actor is None
    if name == "respond":
        return actor is not None and demand_policies.can_respond(principal_of(actor), clock.demand)
    return False


INVITED_ROLES = frozenset({Role.EXPERT, Role.ORG_ADMIN, Role.APPLICANT})


@policy
def can_receive_pushes(principal: Principal) -> bool:
    """对接邀请 is offered to the people matches are pushed to: experts, organisation administrators and
    achievement filers (applicants), and anyone else who has received an invitation. The inbox lists
    only the caller's own pushes and opens for anyone signed in, so the link never leads to a refusal."""
    if not principal.is_authenticated:
        return False
    if INVITED_ROLES & principal.roles:
        return True
    return PushRecipient.objects.filter(user_id=principal.user_id or 0).exists()
