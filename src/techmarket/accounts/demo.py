"""Demo people for ``techmarket demo`` (called first by portal.demo): Hubei's organisations, one account per
role, and a reviewer for every county and city where an organisation files.

Everything goes through accounts.services, so each account carries the audit trail a real user would have
left. What it made is handed to the other apps' demos as a :class:`DemoPeople`.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Q

from techmarket.accounts import demo_vocabulary as vocabulary
from techmarket.accounts import services
from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.models import Organisation, RoleAssignment, User
from techmarket.core import demo_vocabulary as words
from techmarket.core.audit import record_event
from techmarket.core.choices import RegionLevel
from techmarket.core.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, PROVINCE_CODE, person_name
from techmarket.core.models import Region
from techmarket.core.validators import uscc_check_character

# Every demo account that signs in with a second factor (reviewers, the platform administrator) shares this
# authenticator secret, printed by ``techmarket demo`` with the accounts: add it once to an authenticator
# app, or print the current code with ``techmarket totp-code``.
DEMO_TOTP_SECRET = "KRSWG2DNMFZGWZLUMRSW233EMVWW6MJS"  # noqa: S105 (the documented demo secret)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    scope: str
    abilities: str


# Index into vocabulary.ORGANISATIONS of the organisation each role account belongs to.
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
class DemoPeople:
    """Who the accounts demo made, for the demos of the apps that come after it."""

    admin: User
    # In the order planned; the role accounts' organisations are at the indexes above.
    organisations: list[Organisation] = field(default_factory=list)
    org_admins: dict[int, User] = field(default_factory=dict)  # by organisation id
    focus: dict[int, list[words.Theme]] = field(default_factory=dict)  # themes by organisation id
    reviewers: dict[str, User] = field(default_factory=dict)  # by region code
    accounts: dict[str, User] = field(default_factory=dict)  # the role accounts, by username
    kinds: Counter[str] = field(default_factory=Counter)  # organisations by kind
    pending_organisations: int = 0

    def organisations_of(self, kinds: Collection[str]) -> list[Organisation]:
        return [org for org in self.organisations if org.kind in kinds]


def demo_exists() -> bool:
    return User.objects.filter(username=ACCOUNTS[0].username).exists()


def user_count() -> int:
    return User.objects.count()


def account_rows() -> list[tuple[str, str, str, str, str]]:
    """(username, password, role, scope, abilities) of every demo role account, for printing."""
    labels = dict(Role.choices)
    return [
        (account.username, DEMO_PASSWORD, str(labels[account.role]), account.scope, account.abilities)
        for account in ACCOUNTS
    ]


def other_account_rows() -> list[tuple[str, str, str, str]]:
    """(username, password, role, scope) of every other demo account: each organisation's administrator
    (orgNN-admin, by kind) and the reviewer of each county and city (rev-<region code>), for printing."""
    kinds = dict(OrganisationKind.choices)
    rows = []
    admins = User.objects.filter(username__regex=r"^org[0-9]+-admin$").select_related("organisation")
    for user in admins.order_by("username"):
        organisation = user.organisation
        scope = f"{organisation.name}（{kinds[organisation.kind]}）" if organisation else ""
        rows.append((user.username, DEMO_PASSWORD, str(Role.ORG_ADMIN.label), scope))
    reviewers = RoleAssignment.objects.filter(role=Role.REVIEWER, user__username__startswith="rev-")
    for assignment in reviewers.select_related("user", "region").order_by("user__username"):
        region = assignment.region
        scope = f"{region.name}（{region.code}）" if region else ""
        rows.append((assignment.user.username, DEMO_PASSWORD, str(Role.REVIEWER.label), scope))
    return rows


def enrol_second_factors() -> int:
    """Give every reviewer, registrar and platform administrator (superusers too) the demo's authenticator
    secret, whether or not TECHMARKET_2FA_ROLES asks them for it now; those who already have an
    authenticator keep it. Returns how many were enrolled."""
    users = (
        User.objects.filter(
            Q(roles__role__in=[Role.REVIEWER, Role.REGISTRAR, Role.PLATFORM_ADMIN]) | Q(is_superuser=True)
        )
        .exclude(two_factor_device__confirmed_at__isnull=False)
        .distinct()
    )
    count = 0
    for user in users:
        services.two_factor_enrol_fixed(user=user, secret=DEMO_TOTP_SECRET)
        count += 1
    return count


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


def seed(rng: random.Random, *, organisations_count: int, filing_kinds: Collection[str]) -> DemoPeople:
    """Create the admin, ``organisations_count`` organisations, the role accounts and the reviewers.

    ``filing_kinds``: kinds of the organisations whose records reviewers review; every county and city
    where one of them sits gets a reviewer.
    """
    return _PeopleBuilder(rng).build(max(organisations_count, CORE_ORGANISATIONS), filing_kinds)


class _PeopleBuilder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.credit_codes: set[str] = set()
        regions = Region.objects.select_related("parent__parent")
        self.regions = {region.code: region for region in regions}

    def build(self, organisations_count: int, filing_kinds: Collection[str]) -> DemoPeople:
        people = DemoPeople(admin=self.create_admin())
        self.create_organisations(people, organisations_count)
        self.create_role_accounts(people)
        self.create_other_reviewers(people, filing_kinds)
        enrol_second_factors()
        return people

    def planned_organisations(self, count: int) -> list[vocabulary.PlannedOrganisation]:
        planned = list(vocabulary.ORGANISATIONS[:count])
        counties = sorted(code for code, region in self.regions.items() if region.level == RegionLevel.COUNTY)
        for extra in range(count - len(planned)):
            county = self.regions[counties[(extra * 7) % len(counties)]]
            word, theme = vocabulary.EXTRA_ENTERPRISES[extra % len(vocabulary.EXTRA_ENTERPRISES)]
            suffix = "" if extra < len(counties) else str(extra // len(counties) + 1)
            planned.append(
                vocabulary.PlannedOrganisation(
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
        services.role_grant(actor=admin, user=admin, role=Role.PLATFORM_ADMIN)
        return admin

    def create_organisations(self, people: DemoPeople, count: int) -> None:
        for index, plan in enumerate(self.planned_organisations(count)):
            username = "demo-orgadmin" if index == UNIVERSITY else f"org{index + 1:02d}-admin"
            user = services.organisation_register(
                name=plan.name,
                kind=plan.kind,
                credit_code=credit_code(self.rng, plan.kind, plan.region_code, self.credit_codes),
                region=self.regions[plan.region_code],
                username=username,
                password=DEMO_PASSWORD,
                display_name=person_name(self.rng),
                email=f"{username}@{DEMO_EMAIL_DOMAIN}",
                phone=f"1{self.rng.choice('3578')}{self.rng.randrange(10**8, 10**9)}",
            )
            organisation = user.organisation
            if organisation is None:  # registration always makes one; a bug if not
                raise RuntimeError(f"registering {plan.name} made no organisation")
            if plan.verified:
                organisation = services.organisation_verify(actor=people.admin, organisation=organisation)
            else:
                people.pending_organisations += 1
            organisation.region = self.regions[plan.region_code]
            user.organisation = organisation  # the verified row, so the admin's principal sees it
            people.organisations.append(organisation)
            people.org_admins[organisation.pk] = user
            people.focus[organisation.pk] = [theme for theme in words.THEMES if theme.name in plan.focus]
            people.kinds[plan.kind] += 1

    def member(self, actor: User, organisation: Organisation, username: str, roles: list[str]) -> User:
        return services.member_create(
            actor=actor,
            organisation=organisation,
            username=username,
            password=DEMO_PASSWORD,
            display_name=person_name(self.rng),
            email=f"{username}@{DEMO_EMAIL_DOMAIN}",
            roles=roles,
        )

    def reviewer(self, people: DemoPeople, username: str, region: Region, organisation: Organisation) -> User:
        user = self.member(people.admin, organisation, username, [])
        services.role_grant(actor=people.admin, user=user, role=Role.REVIEWER, region=region)
        people.reviewers[region.code] = user
        return user

    def create_role_accounts(self, people: DemoPeople) -> None:
        orgs = people.organisations
        people.accounts["demo-admin"] = people.admin
        people.accounts["demo-orgadmin"] = people.org_admins[orgs[UNIVERSITY].pk]
        for username, index, code in (
            ("demo-province", PROVINCE_BUREAU, PROVINCE_CODE),
            ("demo-city", CITY_BUREAU, "420100"),
            ("demo-county", COUNTY_BUREAU, "420111"),
        ):
            people.accounts[username] = self.reviewer(people, username, self.regions[code], orgs[index])
        for username, index, role in (
            ("demo-applicant", UNIVERSITY, Role.APPLICANT),
            ("demo-enterprise", ENTERPRISE, Role.ENTERPRISE),
            ("demo-broker", AGENCY, Role.BROKER),
        ):
            organisation = orgs[index]
            people.accounts[username] = self.member(
                people.org_admins[organisation.pk], organisation, username, [role]
            )
        people.accounts["demo-expert"] = self.member(
            people.admin, orgs[INSTITUTE], "demo-expert", [Role.EXPERT]
        )

    def create_other_reviewers(self, people: DemoPeople, filing_kinds: Collection[str]) -> None:
        """A reviewer for every county and city where an organisation files, in that city's bureau."""
        bureaus = {
            org.region.code: org for org in people.organisations if org.kind == OrganisationKind.GOVERNMENT
        }
        province_bureau = people.organisations[PROVINCE_BUREAU]
        needed: list[Region] = []
        for organisation in people.organisations_of(filing_kinds):
            for region in organisation.region.chain():
                if region.level != RegionLevel.PROVINCE and region not in needed:
                    needed.append(region)
        for region in needed:
            if region.code in people.reviewers:
                continue
            city = region.ancestor_at(RegionLevel.CITY)
            bureau = bureaus.get(region.code) or bureaus.get(city.code if city else "") or province_bureau
            self.reviewer(people, f"rev-{region.code}", region, bureau)
