"""Who may see and decide suggestions — delegated to the demand's responders, in one place.

Reviewers of the demand's region chain (and brokers, for 公开 demands) work the suggestion list; what
each suggestion shows is further limited by the viewer's own right to see the suggested record.
"""

from __future__ import annotations

from typing import Any

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import Principal, principal_of
from techmarket.achievements import policies as achievement_policies
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.types import Achievement
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


def can_transition(actor: Any, name: str, suggestion: Suggestion) -> bool:
    """SUGGESTION_WORKFLOW's permission: whoever may work the suggestion's demand decides it."""
    principal = actor if isinstance(actor, Principal) else principal_of(actor)
    return can_work(principal, suggestion.demand)
