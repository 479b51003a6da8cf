"""Demo demands for ``techmarket demo`` (called by portal.demo after accounts.demo): enterprises' needs in
every state, written the way enterprises write them.

Created through demands.services by the demo's enterprise accounts and reviewers, so each carries the
audit trail a real one would have (matching.demo then matches the published ones).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Sequence
from typing import Any

from django.utils import timezone

from techmarket.accounts.choices import OrganisationKind
from techmarket.accounts.demo import ENTERPRISE, DemoPeople
from techmarket.accounts.types import Organisation, User
from techmarket.core import demo_vocabulary as words
from techmarket.core.choices import ClassificationScheme
from techmarket.core.demo_topics import TOPICS, Topic
from techmarket.core.models import Classification, Region
from techmarket.demands import services
from techmarket.demands.choices import Cooperation, DemandState
from techmarket.demands.models import Demand

# How many demo demands end in each state (published ones are matched at once).
STATE_PLAN: tuple[tuple[str, int], ...] = (
    (DemandState.PUBLISHED, 28),
    (DemandState.SUBMITTED, 6),
    (DemandState.RETURNED, 3),
    (DemandState.DRAFT, 3),
    (DemandState.SOLVED, 2),
    (DemandState.UNSOLVED, 2),
    (DemandState.WITHDRAWN, 1),
)
BACKGROUNDS = (
    "产品已批量销售，客户对性能提出更高要求。",
    "现有供应商的方案价格高、交期长。",
    "公司有专门的研发团队和中试车间，可以配合验证。",
)
CLOSE_NOTES = ("已与推荐单位签订技术开发合同", "预算调整，暂缓实施")


def _classification(scheme: str, code: str) -> Classification | None:
    return Classification.objects.filter(scheme=scheme, code=code).first()


def second_title(topic: Topic) -> str:
    """The title of a further demand for a topic (a second enterprise seeking the same technology)."""
    return f"寻求{topic.keywords[0]}技术合作"


def topic_of(demand: Demand) -> Topic | None:
    """The demo topic a demo demand was written for (by its title), if any."""
    for topic in TOPICS:
        if demand.title in (topic.demand_title, second_title(topic)):
            return topic
    return None


def demand_data(
    rng: random.Random, topic: Topic, region: Region, contact: User, *, repeat: bool = False
) -> dict[str, Any]:
    """A demand written the way an enterprise writes it, for one demo topic."""
    theme = next(theme for theme in words.THEMES if theme.name == topic.theme)
    indicator, low, high = rng.choice(topic.indicators)
    budget_max = rng.choice((30, 50, 80, 120, 200, 300))
    return {
        "title": second_title(topic) if repeat else topic.demand_title,
        "problem": topic.demand_problem,
        "targets": indicator.format(rng.randint(low, high)) + "；可批量稳定生产。",
        "background": rng.choice(BACKGROUNDS),
        "keywords": "，".join(topic.demand_keywords),
        "industry": _classification(ClassificationScheme.INDUSTRY, rng.choice(theme.industries)),
        "discipline": _classification(ClassificationScheme.DISCIPLINE, rng.choice(theme.disciplines)),
        "region": region,
        "budget_min": str(budget_max // 3),
        "budget_max": str(budget_max),
        "cooperation": rng.sample(Cooperation.values, k=rng.choice((1, 2))),
        "expected_trl": rng.choice((4, 5, 6, 7)),
        "deadline": timezone.localdate() + datetime.timedelta(days=rng.choice((60, 90, 180))),
        "contact_name": contact.display_name or contact.username,
        "contact_phone": contact.phone or "13800000000",
        "contact_email": contact.email,
        "confidentiality": "restricted" if rng.random() < 0.1 else "public",
    }


def seed(rng: random.Random, people: DemoPeople) -> list[Demand]:
    """Enterprises' demands, filed by the demo enterprise and the other enterprises' administrators and
    reviewed by the reviewer nearest to each."""
    enterprises = [
        (org, people.accounts["demo-enterprise"] if index == ENTERPRISE else people.org_admins[org.pk])
        for index, org in enumerate(people.organisations)
        if org.kind == OrganisationKind.ENTERPRISE and org.pk in people.org_admins
    ]

    return file_demands(rng, enterprises, reviewer_finder(people))


def reviewer_finder(people: DemoPeople) -> Callable[[Demand], User]:
    """The reviewer nearest to a demand: of its county, else its city, else the province."""

    def reviewer_for(demand: Demand) -> User:
        for code in (demand.county_code, demand.city_code, demand.province_code):
            if code in people.reviewers:
                return people.reviewers[code]
        return people.accounts["demo-province"]

    return reviewer_for


def backdate(demand: Demand, *, published_at: datetime.datetime) -> None:
    """Move a published demand's dates back (demo realism only: the workflow stamps "now"; audit events,
    being append-only, keep their real times), so its response clock can start in the past."""
    demand.published_at = published_at
    demand.submitted_at = published_at - datetime.timedelta(hours=5)
    demand.created_at = published_at - datetime.timedelta(days=1)
    Demand.objects.filter(pk=demand.pk).update(
        published_at=demand.published_at, submitted_at=demand.submitted_at, created_at=demand.created_at
    )


def file_demands(
    rng: random.Random,
    enterprises: Sequence[tuple[Organisation, User]],
    reviewer_for: Callable[[Demand], User],
) -> list[Demand]:
    """File, review and publish the demo demands; ``enterprises`` are (organisation, filer) pairs."""
    created: list[Demand] = []
    number = 0
    for state, count in STATE_PLAN:
        for _ in range(count):
            organisation, filer = enterprises[number % len(enterprises)]
            topic = TOPICS[number % len(TOPICS)]
            repeat = number >= len(TOPICS)
            number += 1
            region = organisation.region or Region.objects.get(code="420100")
            demand = services.demand_create(
                actor=filer, data=demand_data(rng, topic, region, filer, repeat=repeat)
            )
            created.append(_drive(demand, state, filer, reviewer_for))
    return created


def _drive(demand: Demand, state: str, filer: User, reviewer_for: Callable[[Demand], User]) -> Demand:
    if state == DemandState.DRAFT:
        return demand
    if state == DemandState.WITHDRAWN:
        return services.demand_withdraw(actor=filer, demand=demand, reason="需求已变更")
    demand = services.demand_submit(actor=filer, demand=demand)
    if state == DemandState.SUBMITTED:
        return demand
    reviewer = reviewer_for(demand)
    if state == DemandState.RETURNED:
        return services.demand_return(
            actor=reviewer, demand=demand, reason="请补充可量化的技术指标和预算范围"
        )
    demand = services.demand_approve(actor=reviewer, demand=demand)
    if state in {DemandState.SOLVED, DemandState.UNSOLVED}:
        solved = state == DemandState.SOLVED
        return services.demand_close(
            actor=filer, demand=demand, solved=solved, note=CLOSE_NOTES[0 if solved else 1]
        )
    return demand
