"""Who may see and decide suggestions — delegated to the demand's responders, in one place.

Reviewers of the demand's region chain (and brokers, for 公开 demands) work the suggestion list; what
each suggestion shows is further limited by the viewer's own right to see the suggested record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import Principal, principal_of
from techmarket.achievements import policies as achievement_policies
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.types import Achievement
from techmarket.core import matchsources
from techmarket.core.policy_registry import policy
from techmarket.demands import policies as demand_policies
from techmarket.demands.types import Demand
from techmarket.matching.models import Suggestion


def can_work(principal: Principal, demand: Demand) -> bool:
    """Run the matching, decide suggestions and add matches by hand."""
    return demand_policies.can_respond(principal, demand)


def can_see_suggestions(principal: Principal, demand: Demand) -> bool:
    """The suggestion list follows the demands app's rule: the demand's responders see it."""
    return demand_policies.can_see_suggestions(principal, demand)


@policy
def can_see_reverse(principal: Principal, achievement: Achievement) -> bool:
    """Demands that need a published achievement: shown to its organisation, its reviewers, brokers and
    admins (who can act on them); a record still in filing or review has no reverse list."""
    if achievement.state != AchievementState.PUBLISHED:
        return False
    if not achievement_policies.can_view(principal, achievement):
        return False
    return (
        achievement_policies.is_owner(principal, achievement)
        or achievement_policies.reviews_any_level(principal, achievement)
        or principal.has_role(Role.BROKER)
        or principal.is_platform_admin
    )


def visible_suggestions(principal: Principal, suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    """The suggestions whose target the principal may see, by the target domain's own rule (the
    source's ``labels``) for every kind whose corpus holds 受限 records. The one rule every channel —
    the demand page, the API, a decision posted by a form or htmx — applies to a suggestion."""
    suggestions = list(suggestions)
    visible: dict[str, set[int]] = {}
    for kind in {s.kind for s in suggestions}:
        source = matchsources.source_of_kind(kind)
        if source is not None and source.visible_restricted is not None and source.labels is not None:
            ids = [s.target_id for s in suggestions if s.kind == kind]
            visible[kind] = set(source.labels(ids, [principal]))
    return [s for s in suggestions if s.kind not in visible or s.target_id in visible[s.kind]]


def can_see_target(principal: Principal, suggestion: Suggestion) -> bool:
    """Whether the suggested record is one the principal may see (see :func:`visible_suggestions`)."""
    return bool(visible_suggestions(principal, [suggestion]))


def can_decide(principal: Principal, suggestion: Suggestion) -> bool:
    """Confirm, reject, reconsider or add by hand: a responder of the demand who may also see the
    suggested record. A 受限 record outside the responder's audience is neither shown nor decided."""
    return can_work(principal, suggestion.demand) and can_see_target(principal, suggestion)


def can_transition(actor: Any, name: str, suggestion: Suggestion) -> bool:
    """SUGGESTION_WORKFLOW's permission: a decision on one suggestion needs :func:`can_decide`; the push
    (of the demand's whole confirmed response) needs only the right to work the demand."""
    principal = actor if isinstance(actor, Principal) else principal_of(actor)
    if name == "push":
        return can_work(principal, suggestion.demand)
    return can_decide(principal, suggestion)


@policy
def can_set_listing_alert(principal: Principal, demand: Demand) -> bool:
    """新挂牌匹配提醒 of a demand: turned on or off by its own organisation's filers and administrators."""
    return demand_policies.is_owner(principal, demand) and bool(demand_policies.FILER_ROLES & principal.roles)


def may_be_told_of_listing(principal: Principal, achievement: Achievement) -> bool:
    """A new listing is announced only to someone who may open its achievement (受限 rules as for
    suggestions: owner, granted users, the chain's reviewers)."""
    return achievement.state == AchievementState.PUBLISHED and achievement_policies.can_view(
        principal, achievement
    )
