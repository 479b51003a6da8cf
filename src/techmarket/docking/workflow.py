"""Docking's two state machines: the response clock of a published demand and a pushed person's answer.

The clock runs from publication (started as an effect of the demand's ``publish`` transition), may be
reminded before its deadline and escalated after it by the periodic tick, and stops at the first pushed
response. "Overdue" is not a state: it is a running clock past its deadline.

A pushed expert or organisation administrator answers with one of three kinds and may change the answer
while the demand is open (the service refuses an answer that changes nothing).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from techmarket.core.workflow import INITIAL, Transition, Workflow
from techmarket.docking import policies
from techmarket.docking.choices import AnswerKind as A
from techmarket.docking.choices import ClockState as C
from techmarket.docking.models import PushRecipient, ResponseClock

CLOCK_WORKFLOW: Workflow[ResponseClock] = Workflow(
    model=ResponseClock,
    event_prefix="docking.responseclock",
    state_field="state",
    permission=policies.can_transition_clock,
    transitions=[
        Transition("start", frozenset({INITIAL}), C.RUNNING, _("开始计时")),
        Transition("remind", frozenset({C.RUNNING}), C.REMINDED, _("到期提醒")),
        Transition("escalate", frozenset({C.RUNNING, C.REMINDED}), C.ESCALATED, _("超时督办")),
        Transition("respond", frozenset({C.RUNNING, C.REMINDED, C.ESCALATED}), C.RESPONDED, _("已响应")),
    ],
)

PENDING = ""
ANSWER_WORKFLOW: Workflow[PushRecipient] = Workflow(
    model=PushRecipient,
    event_prefix="docking.pushrecipient",
    state_field="answer",
    permission=policies.can_transition_answer,
    state_names={PENDING: "pending"},
    transitions=[
        Transition(
            "answer",
            frozenset({PENDING, A.INTERESTED, A.DECLINED, A.MESSAGE}),
            frozenset({A.INTERESTED, A.DECLINED, A.MESSAGE}),
            _("答复"),
        ),
    ],
)
