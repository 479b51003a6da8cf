"""我的待办: each app's "my work" items (``selectors.todo_items``, the contract in ``core.todo``) gathered
for one person. The portal only arranges them; every item was built by its own app through that app's
visibility rules."""

from __future__ import annotations

from collections.abc import Callable

from techmarket.accounts import selectors as accounts_selectors
from techmarket.accounts.policies import Principal
from techmarket.achievements import selectors as achievement_selectors
from techmarket.contracts import receipt_selectors as contract_receipt_selectors
from techmarket.contracts import selectors as contract_selectors
from techmarket.conversations import selectors as conversation_selectors
from techmarket.core.todo import TodoItem
from techmarket.demands import selectors as demand_selectors
from techmarket.docking import selectors as docking_selectors
from techmarket.matching import selectors as matching_selectors
from techmarket.notifications import selectors as notification_selectors
from techmarket.subsidies import selectors as subsidy_selectors
from techmarket.trading import selectors as trading_selectors

# In the page's order: the platform's queue, reviews, decisions and clocks, then one's own records and
# invitations, conversations with unread messages, messages last.
PROVIDERS: tuple[Callable[[Principal], list[TodoItem]], ...] = (
    accounts_selectors.todo_items,
    achievement_selectors.todo_items,
    demand_selectors.todo_items,
    matching_selectors.todo_items,
    docking_selectors.todo_items,
    trading_selectors.todo_items,
    contract_selectors.todo_items,
    contract_receipt_selectors.todo_items,
    subsidy_selectors.todo_items,
    conversation_selectors.todo_items,
    notification_selectors.todo_items,
)


def todo_items(principal: Principal) -> list[TodoItem]:
    """Every item waiting for the principal, from every app (nothing for anonymous visitors)."""
    if not principal.is_authenticated:
        return []
    return [item for provider in PROVIDERS for item in provider(principal)]


def waiting_count(items: list[TodoItem]) -> int:
    """The badge's number: records the person must act on (informational items are not counted)."""
    return sum(item.count for item in items if item.actionable)
