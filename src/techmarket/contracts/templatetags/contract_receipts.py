"""Receipts on other pages: ``{% load contract_receipts %}`` then

- ``{% receipts_panel contract %}`` — the contract's income summary (certified, received, outstanding, by
  year) and the link to its receipts page, for the contract's readers only (nothing for anyone else);
- ``{% income_table report %}`` — the rows of a 技术性收入核定表 (the page and its printable view).
"""

from __future__ import annotations

from typing import Any

from django import template

from techmarket.accounts.policies import principal_of
from techmarket.contracts import policies, receipt_selectors
from techmarket.contracts.choices import ContractState
from techmarket.contracts.models import TechContract
from techmarket.contracts.receipt_selectors import OrganisationIncome

register = template.Library()


@register.inclusion_tag("contracts/receipt_panel.html", takes_context=True)
def receipts_panel(context: template.Context, contract: TechContract) -> dict[str, Any]:
    request = context.get("request")
    principal = principal_of(getattr(request, "user", None))
    if not policies.can_view_receipts(principal, contract) or contract.state != ContractState.REGISTERED:
        return {"hidden": True, "contract": contract}
    return {
        "contract": contract,
        "income": receipt_selectors.contract_income(principal, contract),
        "may_record": policies.can_record_receipt(principal, contract),
    }


@register.inclusion_tag("contracts/_receipt_income_table.html")
def income_table(report: OrganisationIncome, linked: bool = False) -> dict[str, Any]:
    years = [
        {
            "year": row.year,
            "cells": [row.by_type.get(value, receipt_selectors.ZERO) for value, _label in report.types],
            "total": row.total,
            "receipts": row.receipts,
        }
        for row in report.years
    ]
    return {"report": report, "years": years, "linked": linked}
