"""The state machines of receipts (实际到账) and amendments (合同变更) of registered contracts.

Receipt: recorded by the seller side (待确认) with its bank slip; confirmed by the registry (已确认 — it
then counts in the 技术性收入核定 and in the statistics) or rejected with a reason (未确认; its bank
reference may be recorded again).

Amendment: filed by the seller side with a new total and certified amount; registered by the registry (the
contract's amounts change in the same transaction) or refused with a reason.

The signals other apps subscribe to (``contracts.signals``) are sent by the transitions' effects, inside
the transaction that made the change.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from techmarket.contracts import policies, signals
from techmarket.contracts.choices import AmendmentState as A
from techmarket.contracts.choices import ReceiptState as R
from techmarket.contracts.models import Amendment, Receipt
from techmarket.core.workflow import INITIAL, Fired, Transition, Workflow

HERE = "techmarket.contracts.receipt_workflow."
NOTICES = "techmarket.contracts.receipt_notices."


def send_receipt_confirmed(fired: Fired[Receipt]) -> None:
    """Effect of ``confirm``: ``signals.receipt_confirmed`` inside the transaction."""
    signals.receipt_confirmed.send(sender=Receipt, receipt=fired.obj)


def send_amendment_registered(fired: Fired[Amendment]) -> None:
    """Effect of ``register`` (the contract's amounts are already changed): ``signals.amendment_registered``
    with the amounts before, inside the transaction."""
    signals.amendment_registered.send(
        sender=Amendment,
        amendment=fired.obj,
        previous_total=Decimal(fired.data["previous_total"]),
        previous_certified=Decimal(fired.data["previous_certified"]),
    )


RECEIPT_WORKFLOW: Workflow[Receipt] = Workflow(
    model=Receipt,
    event_prefix="contracts.receipt",
    state_field="state",
    permission=policies.can_transition_receipt,
    description=(
        "Only on a registered contract. `record` is the seller side's (seller or agency organisation); "
        "`confirm` and `reject` are the registry's (registrars of the seller's region chain). Confirmed "
        "plus pending receipts never exceed the certified amount (checked on record and on confirm under "
        "the contract's row lock)."
    ),
    transitions=[
        Transition(
            "record",
            frozenset({INITIAL}),
            R.RECORDED,
            _("登记到账"),
            after_commit=(NOTICES + "receipt_recorded",),
        ),
        Transition(
            "confirm",
            frozenset({R.RECORDED}),
            R.CONFIRMED,
            _("确认到账"),
            effects=(HERE + "send_receipt_confirmed",),
            after_commit=(NOTICES + "receipt_decided",),
        ),
        Transition(
            "reject",
            frozenset({R.RECORDED}),
            R.REJECTED,
            _("不予确认"),
            requires_reason=True,
            after_commit=(NOTICES + "receipt_decided",),
        ),
    ],
)

AMENDMENT_WORKFLOW: Workflow[Amendment] = Workflow(
    model=Amendment,
    event_prefix="contracts.amendment",
    state_field="state",
    permission=policies.can_transition_amendment,
    description=(
        "Only on a registered contract. `file` is the seller side's; `register` and `refuse` the registry's. "
        "Registering writes the new total and certified amount to the contract (never below what is "
        "already received) and records the amounts before."
    ),
    transitions=[
        Transition(
            "file",
            frozenset({INITIAL}),
            A.SUBMITTED,
            _("提交合同变更"),
            after_commit=(NOTICES + "amendment_filed",),
        ),
        Transition(
            "register",
            frozenset({A.SUBMITTED}),
            A.REGISTERED,
            _("登记合同变更"),
            effects=(HERE + "send_amendment_registered",),
            after_commit=(NOTICES + "amendment_decided",),
        ),
        Transition(
            "refuse",
            frozenset({A.SUBMITTED}),
            A.REFUSED,
            _("合同变更不予登记"),
            requires_reason=True,
            after_commit=(NOTICES + "amendment_decided",),
        ),
    ],
)
