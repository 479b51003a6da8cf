"""The state machine of a technology contract's 认定登记, its whole graph in one table.

The seller's side (its filers, or the agency named on the contract) makes a draft, submits it and may
withdraw it until the registry has it under review (a returned contract too). The registry (registrars of
the seller's region chain) starts the review, then returns it for correction with reasons (the filer
submits it again), registers it (a 16-digit number, the certified amount, a verification code — see
``services.contract_register``) or refuses it (不予登记) with reasons. Registered, refused and withdrawn
are final: a contract registers once.

Registration sends ``signals.contract_registered`` inside its transaction (statistics subscribe).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from techmarket.contracts import policies, signals
from techmarket.contracts.choices import ContractState as S
from techmarket.contracts.models import TechContract
from techmarket.core.workflow import INITIAL, Fired, Transition, Workflow

NOTICES = "techmarket.contracts.notices."


def send_registered(fired: Fired[TechContract]) -> None:
    """Effect of ``register``: tell the subscribers (statistics) inside the registration's transaction."""
    signals.contract_registered.send(sender=TechContract, contract=fired.obj)


CONTRACT_WORKFLOW: Workflow[TechContract] = Workflow(
    model=TechContract,
    event_prefix="contracts.techcontract",
    state_field="state",
    permission=policies.can_transition_contract,
    description=(
        "Filed by the seller's filers or the agency named on the contract; reviewed by the registrars of "
        "the seller's region chain. `register` allocates the registration number under the serial's row "
        "lock and sends `contracts.signals.contract_registered` inside the transaction."
    ),
    transitions=[
        Transition("create", frozenset({INITIAL}), S.DRAFT, _("创建合同登记草稿")),
        Transition(
            "submit",
            frozenset({S.DRAFT, S.RETURNED}),
            S.SUBMITTED,
            _("提交登记"),
            after_commit=(NOTICES + "submitted",),
        ),
        Transition("withdraw", frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED}), S.WITHDRAWN, _("撤回")),
        Transition("start_review", frozenset({S.SUBMITTED}), S.UNDER_REVIEW, _("开始审查")),
        Transition(
            "return",
            frozenset({S.UNDER_REVIEW}),
            S.RETURNED,
            _("退回补正"),
            requires_reason=True,
            after_commit=(NOTICES + "decided",),
        ),
        Transition(
            "register",
            frozenset({S.UNDER_REVIEW}),
            S.REGISTERED,
            _("予以登记"),
            effects=(send_registered,),
            after_commit=(NOTICES + "decided",),
        ),
        Transition(
            "refuse",
            frozenset({S.UNDER_REVIEW}),
            S.REFUSED,
            _("不予登记"),
            requires_reason=True,
            after_commit=(NOTICES + "decided",),
        ),
    ],
)
