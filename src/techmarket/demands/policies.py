"""Who may see and do what with demands — the only place this app's role logic lives.

A 公开 demand is public once published; a 受限 one is seen only by its own organisation, the reviewers
of its region chain, platform administrators and the people a response was pushed to. Enterprises (and
their organisation administrators) file demands; a reviewer of the demand's region chain reviews it;
reviewers and brokers respond to published ones (brokers only to 公开 demands).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import Principal, principal_of
from techmarket.core.models import Region
from techmarket.core.policy_registry import policy
from techmarket.demands.choices import OPEN_STATES, DemandConfidentiality, DemandState
from techmarket.demands.models import Demand, DemandRecipient

FILER_ROLES = frozenset({Role.ENTERPRISE, Role.ORG_ADMIN})
# Who offers an answer to a demand: an expert, an organisation's filers and administrators.
PROVIDER_ROLES = frozenset({Role.EXPERT, Role.APPLICANT, Role.ORG_ADMIN})
PUBLIC_STATES = (DemandState.PUBLISHED, DemandState.DOCKING, DemandState.SOLVED, DemandState.UNSOLVED)


def public_q() -> Q:
    """Published 公开 demands, also while in docking or once closed: what anyone may see."""
    return Q(state__in=PUBLIC_STATES, confidentiality=DemandConfidentiality.PUBLIC)


def chain_q(principal: Principal) -> Q:
    """Demands in the principal's review regions (nothing for non-reviewers)."""
    return Region.scope_q(principal.review_scopes)


def visible_q(principal: Principal) -> Q:
    """The demands the principal may see at all (any state)."""
    q = public_q()
    if not principal.is_authenticated:
        return q
    if principal.is_platform_admin:
        return Q()
    if principal.organisation_id:
        q |= Q(owner_organisation_id=principal.organisation_id)
    if principal.is_reviewer:
        q |= chain_q(principal) & Q(submitted_at__isnull=False)
    pushed = DemandRecipient.objects.filter(demand_id=OuterRef("pk"), user_id=principal.user_id or 0)
    q |= Q(Exists(pushed), state__in=PUBLIC_STATES)
    return q


def is_owner(principal: Principal, demand: Demand) -> bool:
    """Whether the principal belongs to the organisation that filed the demand."""
    return principal.is_authenticated and principal.organisation_id == demand.owner_organisation_id


def reviews(principal: Principal, demand: Demand) -> bool:
    """Whether the principal reviews any level of the demand's region chain (demands have one review step)."""
    return Region.reviews_record(principal.review_scopes, demand)


def can_view(principal: Principal, demand: Demand) -> bool:
    """One demand's :func:`visible_q`: 受限 demands only to their organisation, their chain's reviewers
    once submitted, platform administrators and the people a response was pushed to."""
    if demand.is_public or principal.is_platform_admin or is_owner(principal, demand):
        return True
    if demand.submitted_at is not None and reviews(principal, demand):
        return True
    return (
        principal.user_id is not None
        and demand.state in PUBLIC_STATES
        and DemandRecipient.objects.filter(demand=demand, user_id=principal.user_id).exists()
    )


def can_see_contact(principal: Principal, demand: Demand) -> bool:
    """The contact is masked for everyone but the demand's organisation, its reviewers and responders."""
    return is_owner(principal, demand) or reviews(principal, demand) or principal.is_platform_admin


@policy
def can_file(principal: Principal) -> bool:
    """File demands: enterprise users and organisation administrators of an organisation."""
    return principal.organisation_id is not None and bool(FILER_ROLES & principal.roles)


@policy
def can_edit(principal: Principal, demand: Demand) -> bool:
    """Change a draft or returned demand: its own organisation's filers."""
    return demand.is_editable and is_owner(principal, demand) and bool(FILER_ROLES & principal.roles)


def can_respond(principal: Principal, demand: Demand) -> bool:
    """Run the matching and push responses: chain reviewers, and brokers for 公开 demands."""
    if demand.state not in OPEN_STATES:
        return False
    if reviews(principal, demand) or principal.is_platform_admin:
        return True
    return principal.has_role(Role.BROKER) and demand.confidentiality == DemandConfidentiality.PUBLIC


def can_see_suggestions(principal: Principal, demand: Demand) -> bool:
    """The explained match list (all suggestions, decisions, reasons) is the responders' working view."""
    return demand.state not in {DemandState.DRAFT, DemandState.RETURNED} and (
        reviews(principal, demand)
        or principal.is_platform_admin
        or (principal.has_role(Role.BROKER) and demand.confidentiality == DemandConfidentiality.PUBLIC)
    )


def can_transition(actor: Any, name: str, demand: Demand) -> bool:
    """The permission check the workflow engine calls for every transition."""
    principal = actor if isinstance(actor, Principal) else principal_of(actor)
    if name in {"submit", "withdraw"}:
        return is_owner(principal, demand) and bool(FILER_ROLES & principal.roles)
    if name in {"approve", "return", "publish"}:
        return reviews(principal, demand) or principal.is_platform_admin
    if name == "start_docking":
        return can_respond(principal, demand)
    if name in {"close_solved", "close_unsolved"}:
        return (is_owner(principal, demand) and bool(FILER_ROLES & principal.roles)) or reviews(
            principal, demand
        )
    return False


@policy
def can_list_own(principal: Principal) -> bool:
    """本单位需求 is offered to enterprise users and organisation administrators (the page lists only the
    caller's own organisation's demands, so it is safe for anyone signed in)."""
    return principal.is_authenticated and bool(FILER_ROLES & principal.roles)


@policy
def can_see_review_queue(principal: Principal) -> bool:
    """The demand review list: reviewers (their region chain) and platform administrators (all)."""
    return principal.is_reviewer or principal.is_platform_admin


@policy
def can_start_conversation(principal: Principal, demand: Demand) -> bool:
    """我要对接 on a demand: an expert, an organisation's filer or administrator, or anyone it was pushed
    to, from outside the demand's organisation, who may see the demand while it is open (a 受限 one once
    it was pushed to them)."""
    return (
        principal.is_authenticated
        and demand.state in OPEN_STATES
        and not is_owner(principal, demand)
        and (bool(PROVIDER_ROLES & principal.roles) or is_push_recipient(principal, demand))
        and can_view(principal, demand)
    )


def is_push_recipient(principal: Principal, demand: Demand) -> bool:
    """Whether a response about the demand was pushed to the principal."""
    return (
        principal.user_id is not None
        and DemandRecipient.objects.filter(demand=demand, user_id=principal.user_id).exists()
    )


def can_join_conversation(principal: Principal, demand: Demand) -> bool:
    """Join a thread about the demand as its broker: whoever may respond to it (its chain's reviewers,
    brokers for a 公开 demand, platform administrators), while it is open."""
    return can_respond(principal, demand) and can_view(principal, demand)
