"""The receipt and amendment workflows' cases for the generated role × transition matrix (core.testing).

The contract is :mod:`.receipt_scene`'s: the seller side (the university's users and the agency's
broker) records and files; the registrars of the seller's chain decide; the buyer's users read but do
not act; nobody else (reviewers, outside registrars, platform administrators) may do anything.
"""

from __future__ import annotations

from typing import Any

from techmarket.contracts import receipt_services
from techmarket.contracts.choices import AmendmentState as A
from techmarket.contracts.choices import ReceiptState as R
from techmarket.contracts.models import Amendment, Receipt
from techmarket.contracts.receipt_workflow import AMENDMENT_WORKFLOW, RECEIPT_WORKFLOW
from techmarket.contracts.tests.receipt_scene import (
    BUYER_SIDE,
    CHAIN_REGISTRARS,
    NOBODY,
    SELLER_SIDE,
    record,
    scene,
)
from techmarket.core.testing.workflow_matrix import Rule, WorkflowCase


def setup(request: Any) -> dict[str, Any]:
    return scene(request.getfixturevalue("regions"))


def make_receipt(world: dict[str, Any], state: str) -> Receipt:
    receipt = record(world)
    registrar = world["cast"]["county_registrar"]
    if state == R.CONFIRMED:
        receipt_services.receipt_confirm(actor=registrar, receipt=receipt)
    elif state == R.REJECTED:
        receipt_services.receipt_reject(actor=registrar, receipt=receipt, reason="回单与流水号不符")
    return Receipt.objects.get(pk=receipt.pk)


def make_amendment(world: dict[str, Any], state: str) -> Amendment:
    contract = world["contract"]
    amendment = receipt_services.amendment_file(
        actor=world["cast"]["owner"],
        contract=contract,
        new_total_amount="150000.00",
        new_certified_amount="150000.00",
        reason="补充协议增加开发内容",
    )
    registrar = world["cast"]["city_registrar"]
    if state == A.REGISTERED:
        receipt_services.amendment_register(actor=registrar, amendment=amendment)
    elif state == A.REFUSED:
        receipt_services.amendment_refuse(actor=registrar, amendment=amendment, reason="补充协议未盖章")
    return Amendment.objects.get(pk=amendment.pk)


CASES = [
    WorkflowCase(
        workflow=RECEIPT_WORKFLOW,
        setup=setup,
        make=make_receipt,
        actors=lambda world: world["cast"],
        fire={
            "confirm": lambda actor, receipt, reason: receipt_services.receipt_confirm(
                actor=actor, receipt=receipt
            ),
            "reject": lambda actor, receipt, reason: receipt_services.receipt_reject(
                actor=actor, receipt=receipt, reason=reason
            ),
        },
        rules=[
            Rule("the registry of the seller's chain decides", CHAIN_REGISTRARS, {"confirm", "reject"}, True),
            Rule("the seller side never confirms its own receipt", SELLER_SIDE, {"confirm", "reject"}, False),
            Rule("the buyer does not decide", BUYER_SIDE, {"confirm", "reject"}, False),
            Rule("nobody else decides", NOBODY | {"system"}, {"confirm", "reject"}, False),
        ],
    ),
    WorkflowCase(
        workflow=AMENDMENT_WORKFLOW,
        setup=setup,
        make=make_amendment,
        actors=lambda world: world["cast"],
        fire={
            "register": lambda actor, amendment, reason: receipt_services.amendment_register(
                actor=actor, amendment=amendment, note=reason
            ),
            "refuse": lambda actor, amendment, reason: receipt_services.amendment_refuse(
                actor=actor, amendment=amendment, reason=reason
            ),
        },
        rules=[
            Rule(
                "the registry of the seller's chain decides", CHAIN_REGISTRARS, {"register", "refuse"}, True
            ),
            Rule(
                "the seller side never registers its own change", SELLER_SIDE, {"register", "refuse"}, False
            ),
            Rule("the buyer does not decide", BUYER_SIDE, {"register", "refuse"}, False),
            Rule("nobody else decides", NOBODY | {"system"}, {"register", "refuse"}, False),
        ],
    ),
]
