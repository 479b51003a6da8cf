"""Who may see and do what in the statistics app — the only place its role logic lives.

Everyone, the public included, sees the aggregates, with small cells suppressed (fewer than
:data:`MIN_CONTRACTS` contracts) and sums dominated by one contract hidden (:data:`DOMINANCE_SHARE`). Some nodes are *known* to a caller and shown unsuppressed:

* an organisation's users know their own organisation's figures (its node and its breakdowns);
* a registrar knows every node within its registry's region (it sees the contracts themselves), down to
  the organisations registered there.

Platform administrators and reviewers see the suppressed aggregates like the public. Nobody sees a
single contract on these pages: the cells are sums.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from techmarket.accounts.policies import Principal
from techmarket.core.policy_registry import policy

MIN_CONTRACTS = 3
# The dominance rule: a sum of which one contract makes up more than this share is not shown.
DOMINANCE_SHARE = Decimal("0.7")


@policy
def can_view_dashboard(principal: Principal) -> bool:
    """The statistics dashboard, the KPI page and their API: public aggregates."""
    return True


@policy
def can_enter_actuals(principal: Principal) -> bool:
    """Manual actuals of KPI targets the platform does not compute: platform administrators."""
    return principal.is_platform_admin


def knows_node(principal: Principal, level: str, code: str, chain: Iterable[str]) -> bool:
    """Whether a node's exact figures are the caller's to see (``chain``: the node's region and those above)."""
    if level == "org" and principal.organisation_id is not None and code == str(principal.organisation_id):
        return True
    return principal.registers(chain)


def sees_suppressed_detail(principal: Principal) -> bool:
    """Whether any node may be known to the caller (saves the checks for the public)."""
    return principal.organisation_id is not None or principal.is_registrar
