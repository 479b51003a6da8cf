"""Who may change core's shared reference data: the region tree's review settings."""

from __future__ import annotations

from techmarket.core.policy_registry import policy
from techmarket.core.principals import CorePrincipal


@policy
def can_set_province_review(principal: CorePrincipal) -> bool:
    """A province's extra review step changes the path of every record filed there: platform admins only."""
    return principal.is_platform_admin


@policy
def can_edit_calendar(principal: CorePrincipal) -> bool:
    """The working-day calendar (holidays, 调休 days) decides every notice period: platform admins only."""
    return principal.is_platform_admin
