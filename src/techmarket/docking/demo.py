"""Demo docking for ``techmarket demo`` (called by portal.demo after matching.demo): response clocks in
every state, pushed responses answered by experts and organisations, and months of response history so
the dashboard's medians mean something.

Everything goes through docking.services (and matching.services for the decisions) with explicit ``now``
values in the past, so each clock and answer carries the times and audit trail a real one would have;
only the demands' own publication dates are moved back afterwards (demands.demo.backdate), as the
achievements demo does with its records.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import User
from techmarket.core.errors import DomainError
from techmarket.demands import demo as demands_demo
from techmarket.demands.choices import DemandConfidentiality
from techmarket.demands.types import Demand
from techmarket.docking import selectors, services
from techmarket.docking.choices import AnswerKind, DeclineReason
from techmarket.docking.models import PushRecipient, ResponseClock
from techmarket.matching import selectors as matching_selectors
from techmarket.matching import services as matching_services
from techmarket.matching.choices import SuggestionState, TargetKind


@dataclass(frozen=True)
class OpenClock:
    """A clock still waiting for its response: how long ago its demand was published and which of the
    tick's steps have already happened."""

    label: str
    hours_ago: float
    remind: bool = False
    escalate: bool = False


# One published demand each, first in the order the demands demo publishes them. The clock whose deadline
# is half an hour away is escalated live by the worker ``techmarket demo`` runs; the overdue one is
# escalated by the worker's first tick (every minute), as it would be in production.
OPEN_CLOCKS = (
    OpenClock("running", 2.5),
    OpenClock("running", 11),
    OpenClock("reminded", 21, remind=True),
    OpenClock("deadline soon", 23.5, remind=True),
    OpenClock("overdue", 27, remind=True),
    OpenClock("escalated", 40, remind=True, escalate=True),
    OpenClock("escalated", 75, remind=True, escalate=True),
)
ANSWER_WEIGHTS = {AnswerKind.INTERESTED: 5, AnswerKind.DECLINED: 2, AnswerKind.MESSAGE: 2}
DECLINE_REASONS = (DeclineReason.NO_CAPACITY, DeclineReason.NOT_MY_FIELD, DeclineReason.TERMS)
MESSAGES = (
    "请提供现有产线的工艺参数和样品，我们先做一轮小试验证。",
    "我们团队有相近的中试线，可以约时间到企业现场交流。",
    "能否说明年产量和目标成本？便于评估技术路线。",
    "建议先签保密协议，再提供详细技术资料。",
)
PUSH_MESSAGES = (
    "已按需求筛选出以下成果和团队，请企业与对方直接联系。",
    "推荐的成果均已完成中试，可优先洽谈。",
    "",
)


def seed(
    rng: random.Random,
    published: Sequence[Demand],
    *,
    responder_for: Callable[[Demand], User],
    expert_profile_id: int | None = None,
    expert_theme_demands: Sequence[Demand] = (),
) -> dict[str, int]:
    """Give each published demand a clock: the first ones stay open in every state, the rest were
    answered over the past months. ``expert_profile_id`` (demo-expert's) is added by hand to
    ``expert_theme_demands`` so that account has pushes to answer. Returns counts by outcome."""
    now = timezone.now()
    made = {"open": 0, "responded": 0, "answers": 0}
    for_expert = {demand.pk for demand in expert_theme_demands}
    for index, demand in enumerate(published):
        if index < len(OPEN_CLOCKS):
            _open_clock(demand, OPEN_CLOCKS[index], now)
            made["open"] += 1
            continue
        actor = responder_for(demand)
        if expert_profile_id is not None and demand.pk in for_expert:
            _add_expert(actor, demand, expert_profile_id)
        started = now - timedelta(days=rng.uniform(6, 170), minutes=rng.randrange(0, 600))
        # Most responses come within the day; a few late ones were reminded and escalated first.
        delay = min(rng.lognormvariate(2.2, 0.8), 90.0)
        made["answers"] += _respond(rng, demand, actor, started, started + timedelta(hours=delay), now)
        made["responded"] += 1
    return made


def responder(people_broker: User, reviewer_for: Callable[[Demand], User]) -> Callable[[Demand], User]:
    """Who works a demand's matches: the broker for 公开 demands, the nearest reviewer for 受限 ones."""

    def pick(demand: Demand) -> User:
        if demand.confidentiality == DemandConfidentiality.PUBLIC and demand.pk % 3:
            return people_broker
        return reviewer_for(demand)

    return pick


def _add_expert(actor: User, demand: Demand, profile_id: int) -> None:
    with contextlib.suppress(DomainError):  # already decided on this expert
        matching_services.suggestion_add(
            actor=actor, demand=demand, kind=TargetKind.EXPERT, target_id=profile_id
        )


def _start_in_the_past(demand: Demand, started: datetime) -> ResponseClock:
    """The demand's clock as if it had been published at ``started``.

    Publication already started the clock "now" (a transition effect); like the demand's own dates, its
    start, reminder time and deadline are moved back (demo realism only; its audit event keeps its time).
    """
    demands_demo.backdate(demand, published_at=started)
    clock = services.clock_start(demand=demand, now=started)
    hours, remind_before = selectors.hours_for(demand.region)
    clock.started_at = started
    clock.hours = hours
    clock.deadline = started + timedelta(hours=hours)
    clock.remind_at = max(started, clock.deadline - timedelta(hours=remind_before))
    ResponseClock.objects.filter(pk=clock.pk).update(
        started_at=clock.started_at, hours=hours, deadline=clock.deadline, remind_at=clock.remind_at
    )
    return clock


def _open_clock(demand: Demand, plan: OpenClock, now: datetime) -> None:
    started = now - timedelta(hours=plan.hours_ago)
    clock = _start_in_the_past(demand, started)
    if plan.remind:
        services.clock_remind(clock_id=clock.pk, now=max(clock.remind_at, started))
    if plan.escalate:
        services.clock_escalate(clock_id=clock.pk, now=clock.deadline + timedelta(minutes=5))


def _respond(
    rng: random.Random, demand: Demand, actor: User, started: datetime, pushed_at: datetime, now: datetime
) -> int:
    """Confirm the best matches, push them at ``pushed_at`` and let some recipients answer."""
    clock = _start_in_the_past(demand, started)
    if pushed_at >= clock.remind_at:
        services.clock_remind(clock_id=clock.pk, now=clock.remind_at)
    if pushed_at >= clock.deadline:
        services.clock_escalate(clock_id=clock.pk, now=clock.deadline + timedelta(minutes=5))
    suggestions = matching_selectors.suggestions_for(demand, principal_of(actor))
    confirmed = 0
    for target_kind, wanted in (
        (TargetKind.ACHIEVEMENT, 2),
        (TargetKind.EXPERT, 2),
        (TargetKind.ORGANISATION, 1),
    ):
        of_kind = [s for s in suggestions if s.kind == target_kind and s.state == SuggestionState.PROPOSED]
        for suggestion in of_kind[:wanted]:
            matching_services.suggestion_confirm(actor=actor, suggestion=suggestion, note="")
            confirmed += 1
    if not confirmed:
        return 0
    response = services.response_push(
        actor=actor, demand=demand, message=rng.choice(PUSH_MESSAGES), now=pushed_at
    )
    answers = 0
    for row in (
        PushRecipient.objects.filter(response=response).select_related("user", "suggestion").order_by("pk")
    ):
        # Some pushes are not answered yet; demo-expert answers only some, leaving the rest to the visitor.
        if rng.random() < (0.6 if row.user.username == "demo-expert" else 0.25):
            continue
        kind = rng.choices(list(ANSWER_WEIGHTS), list(ANSWER_WEIGHTS.values()))[0]
        reason = rng.choice(DECLINE_REASONS) if kind == AnswerKind.DECLINED else ""
        message = rng.choice(MESSAGES) if kind != AnswerKind.DECLINED else ""
        services.answer(
            actor=row.user,
            recipient_row=row,
            kind=kind,
            reason=reason,
            message=message,
            now=min(pushed_at + timedelta(hours=rng.uniform(1, 72)), now - timedelta(minutes=30)),
        )
        answers += 1
    return answers
