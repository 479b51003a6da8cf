"""Demo achievements for ``techmarket demo`` (called by portal.demo after accounts.demo): hundreds of
records in every workflow state, filed by the demo's organisations and reviewed by its reviewers.

Everything goes through achievements.services, so each record carries the audit trail a real one would
have; only the dates are spread over the past two years afterwards (see ``backdate``).
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from techmarket.accounts.choices import OrganisationKind
from techmarket.accounts.demo import UNIVERSITY, DemoPeople
from techmarket.accounts.types import Organisation, User
from techmarket.achievements import demo_vocabulary as vocabulary
from techmarket.achievements import services
from techmarket.achievements.choices import (
    AchievementAttribute,
    AchievementStage,
    AchievementState,
    AchievementType,
    Confidentiality,
    EvaluationForm,
    FundingSource,
    PatentStatus,
    PatentType,
    PersonRole,
    TransferMode,
)
from techmarket.achievements.models import Achievement
from techmarket.core import demo_vocabulary as words
from techmarket.core.choices import ClassificationScheme, RegionLevel
from techmarket.core.demo import PROVINCE_CODE, person_name
from techmarket.core.demo_topics import TOPICS_BY_THEME, Topic
from techmarket.core.models import Classification, Region
from techmarket.core.services import region_set_province_review

S = AchievementState


@dataclass
class DemoRecords:
    """What the achievements demo made: the records (in a new database, every record on the platform) in
    id order, and how many ended in each state."""

    records: list[Achievement] = field(default_factory=list)
    states: Counter[str] = field(default_factory=Counter)
    restricted: int = 0


def seed(rng: random.Random, people: DemoPeople, *, count: int) -> DemoRecords:
    """File ``count`` achievements and drive each to its planned state through the services."""
    return _RecordsBuilder(rng, people).build(count)


def patent_number(rng: random.Random, ip_type: str, year: int) -> str:
    """A Chinese patent number ZL + year + type digit + serial + GB check digit (weights 2–9, mod 11)."""
    digits = f"{year}{'2' if ip_type == PatentType.UTILITY else '1'}{rng.randrange(10**6, 10**7)}"
    check = sum(int(d) * w for d, w in zip(digits, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5), strict=True)) % 11
    return f"ZL{digits}.{'X' if check == 10 else check}"


@dataclass
class _Plan:
    """What one demo achievement should become."""

    state: str
    restricted: bool = False
    returned_once: bool = False
    via_province: bool = False
    grant_access: bool = False
    overdue: bool = False  # fiscal, completed long ago, never submitted
    days_ago: int = 0


# Records forced first so even a tiny demo has every state, a restricted record and queues for the
# county and city reviewers (all filed by the demo university in 洪山区).
FORCED_PLANS = (
    _Plan(S.COUNTY_REVIEW),
    _Plan(S.CITY_REVIEW),
    _Plan(S.PUBLISHED, restricted=True, grant_access=True),
    _Plan(S.PROVINCE_REVIEW),
    _Plan(S.RETURNED),
    _Plan(S.DRAFT, overdue=True),
    _Plan(S.WITHDRAWN),
    _Plan(S.REVOKED),
    _Plan(S.PUBLISHED, returned_once=True),
    _Plan(S.COUNTY_REVIEW),
    _Plan(S.CITY_REVIEW),
)
STATE_WEIGHTS = {
    S.PUBLISHED: 62,
    S.DRAFT: 8,
    S.COUNTY_REVIEW: 5,
    S.CITY_REVIEW: 5,
    S.PROVINCE_REVIEW: 2,
    S.RETURNED: 6,
    S.WITHDRAWN: 5,
    S.REVOKED: 4,
}
FILING_KINDS: dict[str, int] = {
    OrganisationKind.UNIVERSITY: 4,
    OrganisationKind.INSTITUTE: 3,
    OrganisationKind.ENTERPRISE: 2,
    OrganisationKind.AGENCY: 1,
    OrganisationKind.OTHER: 1,
}


class _RecordsBuilder:
    def __init__(self, rng: random.Random, people: DemoPeople) -> None:
        self.rng = rng
        self.people = people
        self.today = timezone.localdate()
        self.titles: set[str] = set()
        codes = Classification.objects.all()
        self.classifications = {(item.scheme, item.code): item for item in codes}

    def build(self, count: int) -> DemoRecords:
        filed = self.create_achievements(count)
        made = DemoRecords()
        for record in filed:
            made.states[record.state] += 1
            made.restricted += record.confidentiality == Confidentiality.RESTRICTED
        # Re-read in id order with their industries, as the experts' demo links them.
        made.records = list(Achievement.objects.select_related("industry").order_by("pk"))
        return made

    def filing_organisations(self) -> list[Organisation]:
        return self.people.organisations_of(FILING_KINDS)

    def plans(self, count: int) -> list[_Plan]:
        plans = [dataclasses.replace(plan) for plan in FORCED_PLANS[:count]]
        states, weights = zip(*STATE_WEIGHTS.items(), strict=True)
        for _index in range(count - len(plans)):
            state = self.rng.choices(states, weights)[0]
            restricted = self.rng.random() < 0.1
            plans.append(
                _Plan(
                    state,
                    restricted=restricted,
                    returned_once=state == S.PUBLISHED and self.rng.random() < 0.15,
                    via_province=state == S.PUBLISHED and self.rng.random() < 0.05,
                    grant_access=restricted and state == S.PUBLISHED and self.rng.random() < 0.4,
                    overdue=state == S.DRAFT and self.rng.random() < 0.5,
                )
            )
        for plan in plans:
            # Finished records spread over two years; work in progress is recent.
            recent = plan.state not in (S.PUBLISHED, S.REVOKED)
            plan.days_ago = self.rng.randrange(1, 60 if recent else 730)
        return plans

    def title(self, theme: words.Theme, topic: Topic, kind: str, city_name: str) -> str:
        """A title not used yet (after a few tries a repeat is accepted)."""
        rng = self.rng
        for _attempt in range(50):
            if kind == AchievementType.BASIC:
                name = f"{topic.keywords[0]}的{rng.choice(theme.mechanisms)}研究"
            elif kind == AchievementType.SOFT:
                name = rng.choice(vocabulary.SOFT_TOPICS).format(field=theme.name, city=city_name)
            else:
                name = rng.choice(topic.titles) + rng.choice(vocabulary.TITLE_SUFFIXES)
            if name not in self.titles:
                break
        self.titles.add(name)
        return name

    def fiscal_fields(self, completion: datetime.date) -> dict[str, str]:
        programme, pattern = self.rng.choice(vocabulary.FISCAL_PROGRAMMES)
        year = max(completion.year - self.rng.randrange(1, 4), 2015)
        number = pattern.format(
            year=year,
            n3=f"{self.rng.randrange(1, 999):03d}",
            n5=f"{self.rng.randrange(1, 99999):05d}",
            n7=f"{self.rng.randrange(10**6, 10**7)}",
            n8=f"{self.rng.randrange(10**7, 10**8)}",
        )
        return {"funding_source": FundingSource.FISCAL, "programme_name": programme, "project_number": number}

    def record_data(self, plan: _Plan, organisation: Organisation) -> dict[str, Any]:
        rng = self.rng
        focus = self.people.focus[organisation.pk]
        theme = rng.choice(focus if focus and rng.random() < 0.85 else words.THEMES)
        topic = rng.choice(TOPICS_BY_THEME[theme.name])
        kind = rng.choices(AchievementType.values, (80, 12, 8))[0]
        city = organisation.region.ancestor_at(RegionLevel.CITY)
        name = self.title(theme, topic, kind, city.name if city else "湖北省")
        completion = self.today - datetime.timedelta(
            days=rng.randrange(400, 1500) if plan.overdue else plan.days_ago + rng.randrange(30, 900)
        )
        if plan.overdue or rng.random() < 0.45:
            funding = self.fiscal_fields(completion)
        else:
            funding = {"funding_source": FundingSource.NON_FISCAL, "programme_name": "", "project_number": ""}
        evaluation = rng.choices(EvaluationForm.values, (40, 20, 10, 5, 25))[0]
        evaluation_date = None
        if evaluation != EvaluationForm.NONE:
            evaluation_date = min(completion + datetime.timedelta(days=rng.randrange(0, 120)), self.today)
        if kind == AchievementType.APPLIED:
            stage = rng.choices(AchievementStage.values, (20, 45, 35))[0]
            trl = {"initial": (2, 4), "middle": (4, 6), "mature": (6, 9)}[stage]
        else:
            stage, trl = AchievementStage.INITIAL, (1, 3)
        negotiable = rng.random() < 0.2
        price = None if negotiable else Decimal(round(math.exp(rng.uniform(math.log(5), math.log(3000)))))
        indicators = [template.format(rng.randint(low, high)) for template, low, high in topic.indicators]
        applications = list(topic.applications)
        problem, approach = topic.problem, topic.approach
        leader = person_name(self.rng)
        partners = [org.name for org in rng.sample(self.filing_organisations(), 2) if org != organisation]
        persons = [
            {
                "name": leader,
                "organisation_name": organisation.name,
                "role": PersonRole.LEADER,
                "title": rng.choice(words.SENIOR_TITLES),
            }
        ] + [
            {
                "name": person_name(self.rng),
                "organisation_name": organisation.name,
                "role": PersonRole.MAIN,
                "title": rng.choice(words.JUNIOR_TITLES),
            }
            for _ in range(rng.randrange(0, 4))
        ]
        return {
            "name": name,
            "achievement_type": kind,
            "discipline": self.classifications[
                (ClassificationScheme.DISCIPLINE, rng.choice(theme.disciplines))
            ],
            "industry": self.classifications[(ClassificationScheme.INDUSTRY, rng.choice(theme.industries))],
            "keywords": "，".join([topic.keywords[0], *rng.sample(topic.keywords[1:], rng.randint(2, 4))]),
            "abstract": (
                f"针对{problem}等问题，{organisation.name}{leader}团队完成了“{name}”。"
                f"该成果{approach}，{indicators[0]}，{indicators[1]}。"
                f"成果可应用于{applications[0]}、{applications[1]}等领域。"
            ),
            "technical_indicators": "；".join(indicators) + "。",
            "innovation_points": f"1. {approach}；2. 采用{rng.choice(theme.methods)}方法提升了关键性能。",
            "application_prospects": (
                f"可在{applications[0]}和{applications[1]}中推广，湖北省内已有多家企业表达合作意向。"
            ),
            **funding,
            "evaluation_form": evaluation,
            "evaluation_date": evaluation_date,
            "completion_date": completion,
            "attribute": rng.choices(AchievementAttribute.values, (55, 10, 35))[0],
            "trl": rng.randint(*trl),
            "transfer_modes": rng.sample(TransferMode.values, rng.randint(1, 3)),
            "price_negotiable": negotiable,
            "reference_price": price,
            "region": organisation.region,
            "confidentiality": Confidentiality.RESTRICTED if plan.restricted else Confidentiality.PUBLIC,
            "organisations": [organisation.name, *partners[: rng.randrange(0, 3)]],
            "persons": persons,
            "ip_rights": self.ip_rights(completion),
        }

    def ip_rights(self, completion: datetime.date) -> list[dict[str, str]]:
        rights = []
        for _index in range(self.rng.choices((0, 1, 2, 3), (25, 40, 25, 10))[0]):
            ip_type = self.rng.choices(
                (PatentType.INVENTION, PatentType.UTILITY, PatentType.SOFTWARE), (6, 3, 1)
            )[0]
            year = completion.year - self.rng.randrange(0, 4)
            number = (
                f"{year}SR{self.rng.randrange(10**6, 10**7)}"
                if ip_type == PatentType.SOFTWARE
                else patent_number(self.rng, ip_type, year)
            )
            status = self.rng.choices((PatentStatus.GRANTED, PatentStatus.FILED), (7, 3))[0]
            rights.append({"number": number, "ip_type": ip_type, "status": status})
        return rights

    def pick_owner(self, index: int) -> Organisation:
        filing = self.filing_organisations()
        if index < len(FORCED_PLANS):
            return self.people.organisations[UNIVERSITY]
        weights = [
            FILING_KINDS[org.kind] * (2 if org.pk == self.people.organisations[UNIVERSITY].pk else 1)
            for org in filing
        ]
        return self.rng.choices(filing, weights)[0]

    def filer_for(self, organisation: Organisation) -> User:
        if organisation.pk == self.people.organisations[UNIVERSITY].pk and self.rng.random() < 0.7:
            return self.people.accounts["demo-applicant"]
        return self.people.org_admins[organisation.pk]

    def reviewer_at(self, achievement: Achievement) -> User:
        level_code = {
            S.COUNTY_REVIEW: achievement.county_code,
            S.CITY_REVIEW: achievement.city_code,
            S.PROVINCE_REVIEW: achievement.province_code,
        }[AchievementState(achievement.state)]
        return self.people.reviewers[level_code]

    def approve(self, achievement: Achievement) -> Achievement:
        return services.achievement_approve(actor=self.reviewer_at(achievement), achievement=achievement)

    def drive(self, achievement: Achievement, plan: _Plan, filer: User) -> Achievement:
        """Move a new draft towards its planned state; province steps wait for the batch (see below)."""
        if plan.state == S.DRAFT:
            return achievement
        if plan.state == S.WITHDRAWN:
            if self.rng.random() < 0.5 and achievement.owner_organisation.is_verified:
                achievement = services.achievement_submit(actor=filer, achievement=achievement)
            return services.achievement_withdraw(
                actor=filer, achievement=achievement, reason="需补充材料后再登记"
            )
        achievement = services.achievement_submit(actor=filer, achievement=achievement)
        if plan.state == S.RETURNED:
            if achievement.state == S.COUNTY_REVIEW and self.rng.random() < 0.5:
                achievement = self.approve(achievement)
            return services.achievement_return(
                actor=self.reviewer_at(achievement),
                achievement=achievement,
                reason=self.rng.choice(vocabulary.RETURN_REASONS),
            )
        if plan.returned_once:
            achievement = services.achievement_return(
                actor=self.reviewer_at(achievement),
                achievement=achievement,
                reason=self.rng.choice(vocabulary.RETURN_REASONS),
            )
            achievement = services.achievement_update(
                actor=filer,
                achievement=achievement,
                data={
                    "technical_indicators": achievement.technical_indicators + "测试依据见第三方检测报告。"
                },
            )
            achievement = services.achievement_submit(actor=filer, achievement=achievement)
        stop_at = S.CITY_REVIEW if plan.state == S.PROVINCE_REVIEW or plan.via_province else plan.state
        if stop_at == S.REVOKED:
            stop_at = S.PUBLISHED
        while achievement.state != stop_at and achievement.state in (S.COUNTY_REVIEW, S.CITY_REVIEW):
            achievement = self.approve(achievement)
        if plan.state == S.REVOKED:
            achievement = services.achievement_revoke(
                actor=self.people.reviewers[achievement.city_code],
                achievement=achievement,
                reason=self.rng.choice(vocabulary.REVOKE_REASONS),
            )
        return achievement

    def set_province_review(self, required: bool) -> None:
        """Switch the province's extra review step through its service (audited, with a reason)."""
        region_set_province_review(
            actor=self.people.admin,
            region=Region.objects.get(code=PROVINCE_CODE),
            required=required,
            reason="演示数据：部分成果经省级审核",
        )

    def create_achievements(self, count: int) -> list[Achievement]:
        plans = self.plans(count)
        records: list[tuple[Achievement, _Plan, User]] = []
        for index, plan in enumerate(plans):
            owner = self.pick_owner(index)
            if not owner.is_verified and plan.state != S.WITHDRAWN:
                plan.state = S.DRAFT  # unverified organisations cannot submit
            filer = self.filer_for(owner)
            achievement = services.achievement_create(actor=filer, data=self.record_data(plan, owner))
            records.append((self.drive(achievement, plan, filer), plan, filer))

        # The province asks for its own review only while these records pass the city; the demo then
        # switches the setting back so the rest of Hubei publishes after the city review.
        batch = [
            i
            for i, (record, plan, _f) in enumerate(records)
            if record.state == S.CITY_REVIEW and (plan.state == S.PROVINCE_REVIEW or plan.via_province)
        ]
        if batch:
            self.set_province_review(True)
            for i in batch:
                record, plan, filer = records[i]
                record = self.approve(record)
                if plan.via_province:
                    record = self.approve(record)
                records[i] = (record, plan, filer)
            self.set_province_review(False)

        for record, plan, filer in records:
            if plan.grant_access and record.state == S.PUBLISHED:
                services.access_grant(
                    actor=filer, achievement=record, user=self.people.accounts["demo-enterprise"]
                )
        self.backdate(records)
        return [record for record, _plan, _filer in records]

    def backdate(self, records: list[tuple[Achievement, _Plan, User]]) -> None:
        """Spread the records' dates over the past two years.

        Demo realism only: the workflow stamps everything "now", so the dates of each record are moved
        back afterwards with a bulk update (audit events, being append-only, keep their real times).
        """
        now = timezone.now()
        changed = []
        for record, plan, _filer in records:
            moment = now - datetime.timedelta(days=plan.days_ago, minutes=self.rng.randrange(0, 600))
            if record.published_at is not None:
                record.published_at = moment
                record.submitted_at = moment - datetime.timedelta(days=self.rng.randrange(3, 40))
            elif record.submitted_at is not None:
                record.submitted_at = moment
            start = record.submitted_at or moment
            record.created_at = start - datetime.timedelta(days=self.rng.randrange(1, 30))
            changed.append(record)
        Achievement.objects.bulk_update(
            changed, ["published_at", "submitted_at", "created_at"], batch_size=200
        )


def previous_quarter(today: datetime.date) -> str:
    """The last quarter that has ended, as the catalogue names it ("2026Q3" in the fourth quarter)."""
    number = (today.month - 1) // 3  # the current quarter's number minus one
    return f"{today.year - 1}Q4" if number == 0 else f"{today.year}Q{number}"


def publish_catalogue(admin: User) -> str:
    """Publish the quarterly catalogue of the last finished quarter, as an administrator would."""
    from techmarket.achievements import catalogue  # weasyprint is imported only when the demo needs it

    quarter = previous_quarter(timezone.localdate())
    catalogue.publish(quarter=quarter, actor=admin)
    return quarter


def open_conversations(enterprise: User, filer: User, records: list[Achievement], *, count: int = 2) -> int:
    """我要对接: the demo enterprise opens threads on a few of ``filer``'s organisation's published 公开
    records, so both demo accounts find conversations (conversations.demo carries them on)."""
    from techmarket.achievements.services import achievement_conversation_open

    wanted = [
        record
        for record in records
        if record.state == AchievementState.PUBLISHED
        and record.confidentiality == Confidentiality.PUBLIC
        and record.owner_organisation_id == filer.organisation_id
    ][:count]
    for record in wanted:
        achievement_conversation_open(
            actor=enterprise, achievement=record, body="您好，我们对这项成果很感兴趣，想了解转化条件。"
        )
    return len(wanted)
