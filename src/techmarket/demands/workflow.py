"""The demand workflow: the whole graph in one table.

draft → submitted → approved → published → docking (对接中) → solved / unsolved; a reviewer may
return a submitted demand with a reason (resubmitted after editing); the enterprise may withdraw it
until it is closed.

Publication starts the response clock in its transaction (an effect declared by dotted path: demands
may not import docking) and, once committed, the first matching (an after-commit hook). Each step
tells the people it concerns once committed (``demands.notices``): the reviewers a submitted demand
waits for, and the enterprise.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from techmarket.core.workflow import Transition, Workflow
from techmarket.demands import policies
from techmarket.demands.choices import DemandState as S
from techmarket.demands.models import Demand

NOTICES = "techmarket.demands.notices."

DEMAND_WORKFLOW: Workflow[Demand] = Workflow(
    model=Demand,
    event_prefix="demands.demand",
    state_field="state",
    permission=policies.can_transition,
    transitions=[
        Transition(
            "submit",
            frozenset({S.DRAFT, S.RETURNED}),
            S.SUBMITTED,
            _("提交审核"),
            after_commit=(NOTICES + "submitted",),
        ),
        Transition(
            "approve",
            frozenset({S.SUBMITTED}),
            S.APPROVED,
            _("审核通过"),
            after_commit=(NOTICES + "approved",),
        ),
        Transition(
            "return",
            frozenset({S.SUBMITTED}),
            S.RETURNED,
            _("退回修改"),
            requires_reason=True,
            after_commit=(NOTICES + "returned",),
        ),
        Transition(
            "publish",
            frozenset({S.APPROVED}),
            S.PUBLISHED,
            _("发布"),
            effects=("techmarket.docking.hooks.start_clock",),
            after_commit=(NOTICES + "published", "techmarket.matching.hooks.match_published_demand"),
        ),
        Transition("start_docking", frozenset({S.PUBLISHED}), S.DOCKING, _("开始对接")),
        Transition(
            "close_solved",
            frozenset({S.PUBLISHED, S.DOCKING}),
            S.SOLVED,
            _("关闭（已解决）"),
            after_commit=(NOTICES + "closed",),
        ),
        Transition(
            "close_unsolved",
            frozenset({S.PUBLISHED, S.DOCKING}),
            S.UNSOLVED,
            _("关闭（未解决）"),
            requires_reason=True,
            after_commit=(NOTICES + "closed",),
        ),
        Transition(
            "withdraw",
            frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.APPROVED, S.PUBLISHED, S.DOCKING}),
            S.WITHDRAWN,
            _("撤回"),
            after_commit=(NOTICES + "withdrawn",),
        ),
    ],
)
