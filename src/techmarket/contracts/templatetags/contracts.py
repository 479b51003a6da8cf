"""``{% deal_contract deal %}``: on a deal's page, its technology contract's state and number for those
who may see it, and 办理技术合同登记 for the deal's seller side while it has no live contract."""

from __future__ import annotations

from typing import Any

from django import template

from techmarket.accounts.policies import principal_of
from techmarket.contracts import policies, selectors
from techmarket.contracts.choices import ContractState

register = template.Library()

DEAD = (ContractState.REFUSED, ContractState.WITHDRAWN)


@register.inclusion_tag("contracts/_deal_contract.html", takes_context=True)
def deal_contract(context: dict[str, Any], deal: Any) -> dict[str, Any]:
    request = context.get("request")
    principal = principal_of(getattr(request, "user", None))
    contract = selectors.contract_of_deal(principal, deal.pk) if principal.is_authenticated else None
    live = contract is not None and contract.state not in DEAD
    return {
        "deal": deal,
        "contract": contract,
        "may_file": not live and policies.can_file_from_deal(principal, deal),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
