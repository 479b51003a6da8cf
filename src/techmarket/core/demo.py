"""Demo data for ``techmarket demo``: Hubei's organisations, one account per role and hundreds of
achievements in every workflow state.

Everything is created through accounts.services and achievements.services, so each record carries the
audit trail a real user would have left. Randomness is seeded (random.Random(2026)): every demo
database holds the same records.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from techmarket.accounts import services as accounts
from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.models import Organisation, User
from techmarket.achievements import services as achievements
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
from techmarket.core.audit import record_event
from techmarket.core.choices import ClassificationScheme, RegionLevel
from techmarket.core.models import Classification, Region
from techmarket.core.validators import uscc_check_character
from techmarket.demands import demo as demands_demo
from techmarket.demands.choices import DemandState
from techmarket.demands.models import Demand
from techmarket.experts import demo as experts_demo
from techmarket.matching import services as matching

DEMO_PASSWORD = "Demo-2026!"  # noqa: S105 (the documented demo accounts' password)
SEED = 2026
PROVINCE_CODE = "420000"
DEMO_EMAIL_DOMAIN = "demo.techmarket.example"
S = AchievementState


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    scope: str
    abilities: str


# Index into words.ORGANISATIONS of the organisation each role account belongs to.
PROVINCE_BUREAU, CITY_BUREAU, COUNTY_BUREAU, UNIVERSITY, ENTERPRISE, AGENCY, INSTITUTE = range(7)
CORE_ORGANISATIONS = 9
ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "demo-admin", Role.PLATFORM_ADMIN, "全平台（Django 超级用户）", "认证单位、授予角色、后台管理"
    ),
    DemoAccount("demo-province", Role.REVIEWER, "湖北省（420000）", "省级审核、撤销已发布成果"),
    DemoAccount("demo-city", Role.REVIEWER, "湖北省 武汉市（420100）", "市级审核、退回、撤销已发布成果"),
    DemoAccount("demo-county", Role.REVIEWER, "武汉市 洪山区（420111）", "县级审核、退回"),
    DemoAccount(
        "demo-orgadmin", Role.ORG_ADMIN, "江城理工大学", "管理本单位成员、登记成果、授权查看受限成果"
    ),
    DemoAccount("demo-applicant", Role.APPLICANT, "江城理工大学", "登记、修改、提交、撤回本单位成果"),
    DemoAccount(
        "demo-enterprise",
        Role.ENTERPRISE,
        "光谷智能装备股份有限公司",
        "发布技术需求、查看对接响应、浏览成果库",
    ),
    DemoAccount(
        "demo-broker",
        Role.BROKER,
        "楚天技术转移中心有限公司",
        "处理公开需求的匹配建议、推送对接响应、查看响应看板",
    ),
    DemoAccount("demo-expert", Role.EXPERT, "湖北省先进材料研究院", "维护专家档案、答复推送的需求"),
)


@dataclass
class DemoSummary:
    organisations: Counter[str] = field(default_factory=Counter)
    pending_organisations: int = 0
    users: int = 0
    states: Counter[str] = field(default_factory=Counter)
    restricted: int = 0


def demo_exists() -> bool:
    return User.objects.filter(username=ACCOUNTS[0].username).exists()


class DemoPasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 with fewer rounds, used only while the demo creates its accounts.

    The demo passwords are printed for everyone, so full-strength hashing would only cost most of the
    demo's start-up time. The encoded hash names its own round count, so the production hasher verifies
    it and, seeing fewer rounds than it wants, re-hashes the password at full strength at the first login.
    """

    iterations = 10_000


@contextmanager
def quick_password_hashing() -> Iterator[None]:
    if get_hasher().algorithm != PBKDF2PasswordHasher.algorithm:
        yield
        return
    hashers = [f"{__name__}.DemoPasswordHasher", *settings.PASSWORD_HASHERS]
    with override_settings(PASSWORD_HASHERS=hashers):
        yield


def create_demo(*, achievements_count: int = 500, organisations_count: int = 32) -> DemoSummary:
    """Create the whole demo in one transaction (nothing is left half-made if anything fails)."""
    with quick_password_hashing(), transaction.atomic():
        return _DemoBuilder(random.Random(SEED)).build(  # noqa: S311 (seeded: reproducible data, not a secret)
            achievements_count=achievements_count,
            organisations_count=max(organisations_count, CORE_ORGANISATIONS),
        )


def credit_code(rng: random.Random, kind: str, region_code: str, taken: set[str]) -> str:
    """A well-formed GB 32100 code: registering authority and type by kind, region, GB 11714 code, check."""
    authorities: dict[str, str] = {
        OrganisationKind.GOVERNMENT: "11",
        OrganisationKind.UNIVERSITY: "12",
        OrganisationKind.INSTITUTE: "12",
        OrganisationKind.OTHER: "51",
    }
    prefix = authorities.get(kind, "91")
    while True:
        body = "".join(rng.choice("0123456789") for _ in range(8))
        remainder = 11 - sum(int(d) * w for d, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        organisation_code = body + {10: "X", 11: "0"}.get(remainder, str(remainder))
        first17 = f"{prefix}{region_code}{organisation_code}"
        code = first17 + uscc_check_character(first17)
        if code not in taken:
            taken.add(code)
            return code


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


class _DemoBuilder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.today = timezone.localdate()
        self.summary = DemoSummary()
        self.credit_codes: set[str] = set()
        self.organisations: list[Organisation] = []
        self.org_admins: dict[int, User] = {}
        self.focus: dict[int, list[words.Theme]] = {}
        self.reviewers: dict[str, User] = {}
        self.accounts: dict[str, User] = {}
        self.titles: set[str] = set()
        regions = Region.objects.select_related("parent__parent")
        self.regions = {region.code: region for region in regions}
        codes = Classification.objects.all()
        self.classifications = {(item.scheme, item.code): item for item in codes}

    # People and organisations -------------------------------------------------------------------

    def person_name(self) -> str:
        given = "".join(
            self.rng.choice(words.GIVEN_NAME_CHARACTERS) for _ in range(self.rng.choice((1, 2, 2)))
        )
        return self.rng.choice(words.SURNAMES) + given

    def planned_organisations(self, count: int) -> list[words.PlannedOrganisation]:
        planned = list(words.ORGANISATIONS[:count])
        counties = sorted(code for code, region in self.regions.items() if region.level == RegionLevel.COUNTY)
        for extra in range(count - len(planned)):
            county = self.regions[counties[(extra * 7) % len(counties)]]
            word, theme = words.EXTRA_ENTERPRISES[extra % len(words.EXTRA_ENTERPRISES)]
            suffix = "" if extra < len(counties) else str(extra // len(counties) + 1)
            planned.append(
                words.PlannedOrganisation(
                    f"{county.name}{word}{suffix}科技有限公司",
                    OrganisationKind.ENTERPRISE,
                    county.code,
                    focus=(theme,),
                )
            )
        return planned

    def create_admin(self) -> User:
        spec = ACCOUNTS[0]
        admin = User.objects.create_superuser(
            username=spec.username,
            email=f"{spec.username}@{DEMO_EMAIL_DOMAIN}",
            password=DEMO_PASSWORD,
            display_name="平台管理员",
        )
        record_event(actor=admin, action="accounts.user.create", target=admin, data={"superuser": True})
        accounts.role_grant(actor=admin, user=admin, role=Role.PLATFORM_ADMIN)
        return admin

    def create_organisations(self, count: int, admin: User) -> None:
        for index, plan in enumerate(self.planned_organisations(count)):
            username = "demo-orgadmin" if index == UNIVERSITY else f"org{index + 1:02d}-admin"
            user = accounts.organisation_register(
                name=plan.name,
                kind=plan.kind,
                credit_code=credit_code(self.rng, plan.kind, plan.region_code, self.credit_codes),
                region=self.regions[plan.region_code],
                username=username,
                password=DEMO_PASSWORD,
                display_name=self.person_name(),
                email=f"{username}@{DEMO_EMAIL_DOMAIN}",
                phone=f"1{self.rng.choice('3578')}{self.rng.randrange(10**8, 10**9)}",
            )
            organisation = user.organisation
            if organisation is None:
                raise RuntimeError(f"demo user {username} was registered without an organisation")
            if plan.verified:
                organisation = accounts.organisation_verify(actor=admin, organisation=organisation)
            else:
                self.summary.pending_organisations += 1
            organisation.region = self.regions[plan.region_code]
            user.organisation = organisation  # the verified row, so the admin's principal sees it
            self.organisations.append(organisation)
            self.org_admins[organisation.pk] = user
            self.focus[organisation.pk] = [theme for theme in words.THEMES if theme.name in plan.focus]
            self.summary.organisations[plan.kind] += 1

    def member(self, actor: User, organisation: Organisation, username: str, roles: list[str]) -> User:
        return accounts.member_create(
            actor=actor,
            organisation=organisation,
            username=username,
            password=DEMO_PASSWORD,
            display_name=self.person_name(),
            email=f"{username}@{DEMO_EMAIL_DOMAIN}",
            roles=roles,
        )

    def reviewer(self, admin: User, username: str, region: Region, organisation: Organisation) -> User:
        user = self.member(admin, organisation, username, [])
        accounts.role_grant(actor=admin, user=user, role=Role.REVIEWER, region=region)
        self.reviewers[region.code] = user
        return user

    def create_role_accounts(self, admin: User) -> None:
        orgs = self.organisations
        self.accounts["demo-admin"] = admin
        self.accounts["demo-orgadmin"] = self.org_admins[orgs[UNIVERSITY].pk]
        for username, index, code in (
            ("demo-province", PROVINCE_BUREAU, PROVINCE_CODE),
            ("demo-city", CITY_BUREAU, "420100"),
            ("demo-county", COUNTY_BUREAU, "420111"),
        ):
            self.accounts[username] = self.reviewer(admin, username, self.regions[code], orgs[index])
        for username, index, role in (
            ("demo-applicant", UNIVERSITY, Role.APPLICANT),
            ("demo-enterprise", ENTERPRISE, Role.ENTERPRISE),
            ("demo-broker", AGENCY, Role.BROKER),
        ):
            organisation = orgs[index]
            self.accounts[username] = self.member(
                self.org_admins[organisation.pk], organisation, username, [role]
            )
        self.accounts["demo-expert"] = self.member(admin, orgs[INSTITUTE], "demo-expert", [Role.EXPERT])

    def create_other_reviewers(self, admin: User) -> None:
        """A reviewer for every county and city where an organisation files, in that city's bureau."""
        bureaus = {
            org.region.code: org for org in self.organisations if org.kind == OrganisationKind.GOVERNMENT
        }
        province_bureau = self.organisations[PROVINCE_BUREAU]
        needed: list[Region] = []
        for organisation in self.filing_organisations():
            for region in organisation.region.chain():
                if region.level != RegionLevel.PROVINCE and region not in needed:
                    needed.append(region)
        for region in needed:
            if region.code in self.reviewers:
                continue
            city = region.ancestor_at(RegionLevel.CITY)
            bureau = bureaus.get(region.code) or bureaus.get(city.code if city else "") or province_bureau
            self.reviewer(admin, f"rev-{region.code}", region, bureau)

    def filing_organisations(self) -> list[Organisation]:
        return [org for org in self.organisations if org.kind in FILING_KINDS]

    # Achievements -------------------------------------------------------------------------------

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

    def title(self, theme: words.Theme, kind: str, city_name: str) -> tuple[str, str]:
        """A title not used yet (after a few tries a repeat is accepted) and its leading keyword."""
        rng = self.rng
        for _attempt in range(50):
            subject, process = rng.choice(theme.subjects), rng.choice(theme.processes)
            qualifier = rng.choice([word for word in theme.qualifiers if word not in subject])
            if kind == AchievementType.BASIC:
                name = f"{subject}的{rng.choice(theme.mechanisms)}研究"
            elif kind == AchievementType.SOFT:
                name, subject = (
                    rng.choice(words.SOFT_TOPICS).format(field=theme.name, city=city_name),
                    "成果转化",
                )
            else:
                name = rng.choice(
                    (
                        f"{qualifier}{subject}{process}",
                        f"{subject}{process}及应用",
                        f"基于{rng.choice(theme.methods)}的{subject}{process}",
                        f"{qualifier}{subject}{process}及产业化示范",
                    )
                )
            if name not in self.titles:
                break
        self.titles.add(name)
        return name, subject

    def fiscal_fields(self, completion: datetime.date) -> dict[str, str]:
        programme, pattern = self.rng.choice(words.FISCAL_PROGRAMMES)
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
        focus = self.focus[organisation.pk]
        theme = rng.choice(focus if focus and rng.random() < 0.85 else words.THEMES)
        kind = rng.choices(AchievementType.values, (80, 12, 8))[0]
        city = organisation.region.ancestor_at(RegionLevel.CITY)
        name, subject = self.title(theme, kind, city.name if city else "湖北省")
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
        indicators = [
            template.format(rng.randint(low, high)) for template, low, high in rng.sample(theme.indicators, 2)
        ]
        applications = rng.sample(theme.applications, 2)
        problem, approach = rng.choice(theme.problems), rng.choice(theme.approaches)
        leader = self.person_name()
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
                "name": self.person_name(),
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
            "keywords": "，".join([subject, *rng.sample(theme.keywords, rng.randint(2, 4))]),
            "abstract": (
                f"针对{problem}等问题，{organisation.name}{leader}团队完成了“{name}”。"
                f"该成果{approach}，{indicators[0]}，{indicators[1]}。"
                f"成果可应用于{applications[0]}、{applications[1]}等领域，具有良好的经济和社会效益。"
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
            "stage": stage,
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
            return self.organisations[UNIVERSITY]
        weights = [
            FILING_KINDS[org.kind] * (2 if org.pk == self.organisations[UNIVERSITY].pk else 1)
            for org in filing
        ]
        return self.rng.choices(filing, weights)[0]

    def filer_for(self, organisation: Organisation) -> User:
        if organisation.pk == self.organisations[UNIVERSITY].pk and self.rng.random() < 0.7:
            return self.accounts["demo-applicant"]
        return self.org_admins[organisation.pk]

    def reviewer_at(self, achievement: Achievement) -> User:
        level_code = {
            S.COUNTY_REVIEW: achievement.county_code,
            S.CITY_REVIEW: achievement.city_code,
            S.PROVINCE_REVIEW: achievement.province_code,
        }[AchievementState(achievement.state)]
        return self.reviewers[level_code]

    def approve(self, achievement: Achievement) -> Achievement:
        return achievements.achievement_approve(actor=self.reviewer_at(achievement), achievement=achievement)

    def drive(self, achievement: Achievement, plan: _Plan, filer: User) -> Achievement:
        """Move a new draft towards its planned state; province steps wait for the batch (see below)."""
        if plan.state == S.DRAFT:
            return achievement
        if plan.state == S.WITHDRAWN:
            if self.rng.random() < 0.5 and achievement.owner_organisation.is_verified:
                achievement = achievements.achievement_submit(actor=filer, achievement=achievement)
            return achievements.achievement_withdraw(
                actor=filer, achievement=achievement, reason="需补充材料后再登记"
            )
        achievement = achievements.achievement_submit(actor=filer, achievement=achievement)
        if plan.state == S.RETURNED:
            if achievement.state == S.COUNTY_REVIEW and self.rng.random() < 0.5:
                achievement = self.approve(achievement)
            return achievements.achievement_return(
                actor=self.reviewer_at(achievement),
                achievement=achievement,
                reason=self.rng.choice(words.RETURN_REASONS),
            )
        if plan.returned_once:
            achievement = achievements.achievement_return(
                actor=self.reviewer_at(achievement),
                achievement=achievement,
                reason=self.rng.choice(words.RETURN_REASONS),
            )
            achievement = achievements.achievement_update(
                actor=filer,
                achievement=achievement,
                data={
                    "technical_indicators": achievement.technical_indicators + "测试依据见第三方检测报告。"
                },
            )
            achievement = achievements.achievement_submit(actor=filer, achievement=achievement)
        stop_at = S.CITY_REVIEW if plan.state == S.PROVINCE_REVIEW or plan.via_province else plan.state
        if stop_at == S.REVOKED:
            stop_at = S.PUBLISHED
        while achievement.state != stop_at and achievement.state in (S.COUNTY_REVIEW, S.CITY_REVIEW):
            achievement = self.approve(achievement)
        if plan.state == S.REVOKED:
            achievement = achievements.achievement_revoke(
                actor=self.reviewers[achievement.city_code],
                achievement=achievement,
                reason=self.rng.choice(words.REVOKE_REASONS),
            )
        return achievement

    def set_province_review(self, admin: User, required: bool) -> None:
        """Switch the province's extra review step (there is no service for this setting yet)."""
        province = self.regions[PROVINCE_CODE]
        Region.objects.filter(pk=province.pk).update(requires_province_review=required)
        record_event(
            actor=admin,
            action="core.region.update",
            target=province,
            data={"requires_province_review": required},
        )

    def create_achievements(self, count: int, admin: User) -> None:
        plans = self.plans(count)
        records: list[tuple[Achievement, _Plan, User]] = []
        for index, plan in enumerate(plans):
            owner = self.pick_owner(index)
            if not owner.is_verified and plan.state != S.WITHDRAWN:
                plan.state = S.DRAFT  # unverified organisations cannot submit
            filer = self.filer_for(owner)
            achievement = achievements.achievement_create(actor=filer, data=self.record_data(plan, owner))
            records.append((self.drive(achievement, plan, filer), plan, filer))

        # The province asks for its own review only while these records pass the city; the demo then
        # switches the setting back so the rest of Hubei publishes after the city review.
        batch = [
            i
            for i, (record, plan, _f) in enumerate(records)
            if record.state == S.CITY_REVIEW and (plan.state == S.PROVINCE_REVIEW or plan.via_province)
        ]
        if batch:
            self.set_province_review(admin, True)
            for i in batch:
                record, plan, filer = records[i]
                record = self.approve(record)
                if plan.via_province:
                    record = self.approve(record)
                records[i] = (record, plan, filer)
            self.set_province_review(admin, False)

        for record, plan, filer in records:
            if plan.grant_access and record.state == S.PUBLISHED:
                achievements.access_grant(
                    actor=filer, achievement=record, user=self.accounts["demo-enterprise"]
                )
        self.backdate(records)
        for record, _plan, _filer in records:
            self.summary.states[record.state] += 1
            self.summary.restricted += record.confidentiality == Confidentiality.RESTRICTED

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

    # Everything ---------------------------------------------------------------------------------

    def build(self, *, achievements_count: int, organisations_count: int) -> DemoSummary:
        admin = self.create_admin()
        self.create_organisations(organisations_count, admin)
        self.create_role_accounts(admin)
        self.create_other_reviewers(admin)
        self.create_achievements(achievements_count, admin)
        experts_demo.seed(
            self.rng,
            self.organisations,
            list(Achievement.objects.select_related("industry").order_by("pk")),
            self.accounts["demo-expert"],
            admin=admin,
            email_domain=DEMO_EMAIL_DOMAIN,
        )
        self.create_demands()
        self.summary.users = User.objects.count()
        return self.summary

    def create_demands(self) -> None:
        """Enterprises' demands, filed by the demo enterprise and the other enterprises' administrators."""
        enterprises = [
            (org, self.accounts["demo-enterprise"] if index == ENTERPRISE else self.org_admins[org.pk])
            for index, org in enumerate(self.organisations)
            if org.kind == OrganisationKind.ENTERPRISE and org.pk in self.org_admins
        ]

        def reviewer_for(demand: Demand) -> User:
            for code in (demand.county_code, demand.city_code, demand.province_code):
                if code in self.reviewers:
                    return self.reviewers[code]
            return self.accounts["demo-province"]

        for demand in demands_demo.seed(self.rng, enterprises, reviewer_for):
            if demand.state == DemandState.PUBLISHED:
                # Publication matches after commit; the demo's one transaction is still open here.
                matching.suggestions_refresh(demand=demand)


def account_rows() -> list[tuple[str, str, str, str, str]]:
    """(username, password, role, scope, abilities) of every demo role account, for printing."""
    labels = dict(Role.choices)
    return [
        (account.username, DEMO_PASSWORD, str(labels[account.role]), account.scope, account.abilities)
        for account in ACCOUNTS
    ]
