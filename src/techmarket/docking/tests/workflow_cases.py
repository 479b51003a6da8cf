"""Docking's cases for the generated role × transition matrix: the response clock and push answers.

The clock's reminder and escalation are the system's (the periodic tick fires them with no actor), so
the clock's cast adds a ``system`` actor (None) to the people; a person can never fire them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.cast import FILER_ROLES, OUTSIDE_REVIEWERS, OUTSIDERS, standard_cast
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core.testing.workflow_matrix import Rule, WorkflowCase
from techmarket.docking import services
from techmarket.docking.choices import AnswerKind
from techmarket.docking.choices import ClockState as C
from techmarket.docking.models import PushRecipient, ResponseClock
from techmarket.docking.tests.factories import organisation_with_admin, published_demand
from techmarket.docking.workflow import ANSWER_WORKFLOW, CLOCK_WORKFLOW, PENDING
from techmarket.matching import services as matching_services
from techmarket.matching.choices import TargetKind

PEOPLE_WHO_RESPOND = frozenset(
    {"county_reviewer", "city_reviewer", "province_reviewer", "platform_admin", "broker"}
)


def setup(request: Any) -> dict[str, Any]:
    regions = request.getfixturevalue("regions")
    enterprise = OrganisationFactory(region=regions["county"], kind=OrganisationKind.ENTERPRISE)
    owner = user_with_role(Role.ENTERPRISE, organisation=enterprise)
    cast = standard_cast(regions, enterprise, owner)
    demand = published_demand(regions["county"], cast["county_reviewer"], enterprise=owner)
    return {"cast": cast, "demand": demand, "regions": regions}


def make_clock(world: dict[str, Any], state: str) -> ResponseClock:
    """The demand's clock (publication started it), moved on by the tick or a response."""
    clock = ResponseClock.objects.get(demand=world["demand"])
    if state in (C.REMINDED, C.ESCALATED):
        services.clock_remind(clock_id=clock.pk, now=clock.remind_at)
    if state == C.ESCALATED:
        services.clock_escalate(clock_id=clock.pk, now=clock.deadline + timedelta(minutes=1))
    if state == C.RESPONDED:
        services.clock_respond(demand=world["demand"], actor=world["cast"]["county_reviewer"])
    return ResponseClock.objects.get(pk=clock.pk)


def setup_answer(request: Any) -> dict[str, Any]:
    """A pushed organisation match, addressed to the institute's administrator."""
    world = setup(request)
    institute, addressee = organisation_with_admin(world["regions"]["city"], name="某研究院")
    reviewer = world["cast"]["county_reviewer"]
    matching_services.suggestion_add(
        actor=reviewer, demand=world["demand"], kind=TargetKind.ORGANISATION, target_id=institute.pk
    )
    services.response_push(actor=reviewer, demand=world["demand"])
    world["cast"] = {**world["cast"], "addressee": addressee}
    world["row"] = PushRecipient.objects.get(user=addressee)
    return world


def make_answer(world: dict[str, Any], state: str) -> PushRecipient:
    row: PushRecipient = world["row"]
    if state != PENDING:
        reason = "not_my_field" if state == AnswerKind.DECLINED else ""
        row = services.answer(
            actor=world["cast"]["addressee"], recipient_row=row, kind=state, reason=reason, message="先留言"
        )
    return PushRecipient.objects.get(pk=row.pk)


def _answer(actor: Any, row: PushRecipient, reason: str) -> PushRecipient:
    """Answer with a kind that changes something (an unchanged answer is refused by design)."""
    kind = AnswerKind.INTERESTED if row.answer != AnswerKind.INTERESTED else AnswerKind.MESSAGE
    return services.answer(actor=actor, recipient_row=row, kind=kind, message=reason)


CASES = [
    WorkflowCase(
        workflow=CLOCK_WORKFLOW,
        setup=setup,
        make=make_clock,
        actors=lambda world: {**world["cast"], "system": None},
        fire={
            "remind": lambda actor, clock, reason: services.clock_remind(
                clock_id=clock.pk, now=clock.remind_at, actor=actor
            ),
            "escalate": lambda actor, clock, reason: services.clock_escalate(
                clock_id=clock.pk, now=clock.deadline + timedelta(minutes=1), actor=actor
            ),
            "respond": lambda actor, clock, reason: services.clock_respond(demand=clock.demand, actor=actor),
        },
        # The tick's steps are safe to repeat and race: a clock already past them is left as it is, and
        # a stopped clock stays stopped when more responses are pushed.
        quiet_noops={
            *(("remind", state) for state in (C.REMINDED, C.ESCALATED, C.RESPONDED)),
            *(("escalate", state) for state in (C.ESCALATED, C.RESPONDED)),
            ("respond", C.RESPONDED),
        },
        rules=[
            Rule("only the system reminds and escalates", {"system"}, {"remind", "escalate"}, True),
            Rule(
                "no person reminds or escalates",
                PEOPLE_WHO_RESPOND | FILER_ROLES | OUTSIDERS,
                {"remind", "escalate"},
                False,
            ),
            Rule("the demand's responders stop the clock", PEOPLE_WHO_RESPOND, {"respond"}, True),
            Rule("the enterprise never stops its own clock", FILER_ROLES, {"respond"}, False),
            Rule("reviewers outside the chain never respond", OUTSIDE_REVIEWERS, {"respond"}, False),
        ],
    ),
    WorkflowCase(
        workflow=ANSWER_WORKFLOW,
        setup=setup_answer,
        make=make_answer,
        actors=lambda world: world["cast"],
        fire={"answer": _answer},
        states=[PENDING, *AnswerKind.values],
        rules=[
            Rule("the addressee answers", {"addressee"}, {"answer"}, True),
            Rule(
                "nobody answers for the addressee",
                PEOPLE_WHO_RESPOND | FILER_ROLES | OUTSIDERS | {"superuser"},
                {"answer"},
                False,
            ),
        ],
    ),
]
