"""The state machines of subsidy runs and of objections to them, each whole graph in one table.

Run: computed (a new run, or a returned run recomputed as a new round) → checked (by someone other than
the computer) → approved (by a platform administrator other than the checker) → published (公示: the
public list, open to objections for the run's objection period) → paid (after the period, every
objection answered). A computed or checked run may be returned for recompute; a published one too
(``reopen``: by the bureau, or by upholding an objection). A run not yet approved may be cancelled,
which frees its policy and year for a new run.

Objection: filed open during the objection period; upheld (the run goes back to recompute, in the same
transaction) or dismissed by the bureau, each with a reply.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from techmarket.core.workflow import INITIAL, Fired, Transition, Workflow
from techmarket.subsidies import policies
from techmarket.subsidies.choices import ObjectionState as O
from techmarket.subsidies.choices import RunState as R
from techmarket.subsidies.models import Objection, SubsidyRun

RUN_WORKFLOW: Workflow[SubsidyRun] = Workflow(
    model=SubsidyRun,
    event_prefix="subsidies.run",
    state_field="state",
    permission=policies.can_transition_run,
    description=(
        "Separation of duties: `check` is refused to the person who computed the current round, "
        "`approve` to the checker. `pay` waits for the end of the objection period and for every "
        "objection to be answered. `reopen` is also the effect of upholding an objection."
    ),
    transitions=[
        Transition("compute", frozenset({INITIAL}), R.COMPUTED, _("测算")),
        Transition("check", frozenset({R.COMPUTED}), R.CHECKED, _("复核通过")),
        Transition("approve", frozenset({R.CHECKED}), R.APPROVED, _("审定")),
        Transition("publish", frozenset({R.APPROVED}), R.PUBLISHED, _("公示")),
        Transition("pay", frozenset({R.PUBLISHED}), R.PAID, _("确认拨付")),
        Transition(
            "return", frozenset({R.COMPUTED, R.CHECKED}), R.RETURNED, _("退回重算"), requires_reason=True
        ),
        Transition("reopen", frozenset({R.PUBLISHED}), R.RETURNED, _("撤回公示并重算"), requires_reason=True),
        Transition("recompute", frozenset({R.RETURNED}), R.COMPUTED, _("重新测算")),
        Transition(
            "cancel",
            frozenset({R.COMPUTED, R.CHECKED, R.RETURNED}),
            R.CANCELLED,
            _("作废"),
            requires_reason=True,
        ),
    ],
)


def reopen_run(fired: Fired[Any]) -> None:
    """Effect of upholding an objection: its run, if still in 公示, goes back to recompute."""
    objection: Objection = fired.obj
    run = SubsidyRun.objects.get(pk=objection.run_id)
    if run.state == R.PUBLISHED:
        RUN_WORKFLOW.fire(
            run,
            "reopen",
            actor=fired.actor,
            reason=fired.reason,
            data={"objection": objection.pk},
        )


OBJECTION_WORKFLOW: Workflow[Objection] = Workflow(
    model=Objection,
    event_prefix="subsidies.objection",
    state_field="state",
    permission=policies.can_transition_objection,
    description="Upholding an objection returns its run from 公示 to recompute (`subsidies.run.reopen`).",
    transitions=[
        Transition("file", frozenset({INITIAL}), O.OPEN, _("提出异议")),
        Transition(
            "uphold",
            frozenset({O.OPEN}),
            O.UPHELD,
            _("异议成立"),
            requires_reason=True,
            effects=(reopen_run,),
        ),
        Transition("dismiss", frozenset({O.OPEN}), O.DISMISSED, _("异议不成立"), requires_reason=True),
    ],
)
