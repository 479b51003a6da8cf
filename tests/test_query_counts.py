"""Query-count baselines for every list page and API list endpoint (tests/query_counts.json).

Each endpoint is rendered for each role that can use it with N rows, then with 2N: the count must not
grow with the rows (one query per row fails whatever the baseline says) and must not exceed the
committed baseline. ``UPDATE_QUERY_COUNTS=1 .venv/bin/pytest tests/test_query_counts.py`` rewrites the
baselines (docs/development/testing.md). A new list endpoint gets an ``Endpoint`` row below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from techmarket.accounts.choices import OrganisationKind, OrganisationStatus, Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.models import PublishedCatalogue
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.core.models import Region
from techmarket.core.testing.query_counts import QueryBaseline, assert_flat, count_queries
from techmarket.core.tests.factories import ClassificationFactory, RegionFactory
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state
from techmarket.docking import services as docking_services
from techmarket.docking.models import ClockPolicy
from techmarket.experts.tests.factories import expert
from techmarket.matching.choices import TargetKind
from techmarket.matching.models import Suggestion
from techmarket.notifications.services import notify

pytestmark = pytest.mark.django_db
BASELINE = QueryBaseline(Path(__file__).with_name("query_counts.json"))
N = 2


@dataclass
class World:
    regions: dict[str, Region]
    users: dict[str, Any]
    shared: dict[str, Any]


@dataclass(frozen=True)
class Endpoint:
    key: str
    url: Callable[[World], str]
    add_rows: Callable[[World, int], None]
    roles: tuple[str, ...]


def _achievements(state: str = AchievementState.PUBLISHED) -> Callable[[World, int], None]:
    def add(world: World, n: int) -> None:
        reviewers = {level: world.users[f"{level}_reviewer"] for level in ("county", "city", "province")}
        for _ in range(n):
            achievement_in_state(
                state, applicant=world.users["applicant"], region=world.regions["county"], reviewers=reviewers
            )

    return add


def _demands(state: str = DemandState.PUBLISHED) -> Callable[[World, int], None]:
    def add(world: World, n: int) -> None:
        for _ in range(n):
            demand_in_state(
                state,
                enterprise=world.users["enterprise"],
                region=world.regions["county"],
                reviewer=world.users["county_reviewer"],
            )

    return add


def _listings(state: str = "notice") -> Callable[[World, int], None]:
    """Listings of one published achievement of the applicant's organisation, driven to ``state``."""

    def add(world: World, n: int) -> None:
        from techmarket.trading.tests.factories import listing_in_state

        achievement = world.shared.get("listed")
        if achievement is None:
            achievement = world.shared["listed"] = achievement_in_state(
                AchievementState.PUBLISHED,
                applicant=world.users["applicant"],
                region=world.regions["county"],
                reviewers={lvl: world.users[f"{lvl}_reviewer"] for lvl in ("county", "city", "province")},
            )
        for _ in range(n):
            listing_in_state(
                state,
                seller=world.users["applicant"],
                achievement=achievement,
                admin=world.users["platform_admin"],
            )

    return add


def _experts(world: World, n: int) -> None:
    linked = world.shared.get("linked")
    if linked is None:
        linked = world.shared["linked"] = [
            achievement_in_state(
                AchievementState.PUBLISHED,
                applicant=world.users["applicant"],
                region=world.regions["county"],
                reviewers={lvl: world.users[f"{lvl}_reviewer"] for lvl in ("county", "city", "province")},
            )
        ]
    for _ in range(n):
        profile = expert(world.regions["county"], actor=world.users["platform_admin"])
        profile.achievements.add(*linked)


def _notifications(world: World, n: int) -> None:
    for user in world.users.values():
        if getattr(user, "is_authenticated", False):
            for i in range(n):
                notify(user, kind="test", title=f"通知{i}", body="正文", link="/")


def _tokens(world: World, n: int) -> None:
    from techmarket.accounts.models import ApiToken
    from techmarket.accounts.services import token_issue

    for user in world.users.values():
        if getattr(user, "is_authenticated", False):
            for _ in range(n):
                ApiToken.objects.filter(user=user).update(revoked_at=timezone.now())
                token_issue(user=user)


def _pushes(world: World, n: int) -> None:
    """Responses pushed to the matched organisation, whose administrator reads them in the inbox."""
    target = world.shared.get("target")
    if target is None:
        target = world.shared["target"] = world.users["org_admin"].organisation
    for _ in range(n):
        demand = demand_in_state(
            DemandState.PUBLISHED,
            enterprise=world.users["enterprise"],
            region=world.regions["county"],
            reviewer=world.users["county_reviewer"],
        )
        Suggestion.objects.create(
            demand=demand, kind=TargetKind.ORGANISATION, organisation=target, state="confirmed"
        )
        docking_services.response_push(actor=world.users["county_reviewer"], demand=demand)


def _threads(world: World, n: int) -> None:
    """Conversations: the enterprise opens one on each new published achievement, its filer answers (on
    achievements, so that no demand joins anyone's other lists)."""
    from techmarket.achievements import services as achievement_services
    from techmarket.conversations import services as conversation_services

    for _ in range(n):
        _achievements()(world, 1)
        record = achievement_services.Achievement.objects.latest("id")
        thread = achievement_services.achievement_conversation_open(
            actor=world.users["enterprise"], achievement=record, body="我们想了解这项成果"
        )
        conversation_services.message_post(actor=world.users["applicant"], thread=thread, body="欢迎详谈")


def _suggestions(world: World, n: int) -> None:
    demand = world.shared.get("demand")
    if demand is None:
        demand = world.shared["demand"] = demand_in_state(
            DemandState.PUBLISHED,
            enterprise=world.users["enterprise"],
            region=world.regions["county"],
            reviewer=world.users["county_reviewer"],
        )
    for _ in range(n):
        organisation = OrganisationFactory(region=world.regions["city"], kind=OrganisationKind.INSTITUTE)
        Suggestion.objects.create(demand=demand, kind=TargetKind.ORGANISATION, organisation=organisation)


def _deals(world: World, n: int) -> None:
    """Negotiated deals: the enterprise negotiates on a new listing of the applicant's and its offer is
    accepted (a negotiation, a deal and a 成交公告 each)."""
    from techmarket.deals import services as deal_services
    from techmarket.trading.choices import ListingState
    from techmarket.trading.tests.factories import listing_in_state

    reviewers = {level: world.users[f"{level}_reviewer"] for level in ("county", "city", "province")}
    for _ in range(n):
        achievement = achievement_in_state(
            AchievementState.PUBLISHED,
            applicant=world.users["applicant"],
            region=world.regions["county"],
            reviewers=reviewers,
        )
        listing = listing_in_state(
            ListingState.OPEN,
            seller=world.users["applicant"],
            achievement=achievement,
            admin=world.users["platform_admin"],
            mode="transfer",
        )
        negotiation = deal_services.negotiation_open(actor=world.users["enterprise"], listing=listing)
        offer = deal_services.offer_make(
            actor=world.users["enterprise"], negotiation=negotiation, amount="50"
        )
        deal_services.offer_accept(actor=world.users["applicant"], offer=offer)


def _reverse_matches(world: World, n: int) -> None:
    if "achievement" not in world.shared:
        _achievements()(world, 1)
        world.shared["achievement"] = world.users["applicant"].organisation.achievements.latest("pk")
    for _ in range(n):
        demand = demand_in_state(
            DemandState.PUBLISHED,
            enterprise=world.users["enterprise"],
            region=world.regions["county"],
            reviewer=world.users["county_reviewer"],
        )
        Suggestion.objects.create(
            demand=demand, kind=TargetKind.ACHIEVEMENT, achievement=world.shared["achievement"]
        )


def _policies(world: World, n: int) -> None:
    taken = set(ClockPolicy.objects.values_list("region_id", flat=True))
    regions = Region.objects.filter(level="county").exclude(code__in=taken).order_by("code")[:n]
    for region in regions:
        ClockPolicy.objects.create(region=region, hours=48, remind_before_hours=4)


def _pending_organisations(world: World, n: int) -> None:
    for _ in range(n):
        OrganisationFactory(region=world.regions["county"], status=OrganisationStatus.PENDING)


def _role_assignments(world: World, n: int) -> None:
    for _ in range(n):
        user_with_role(Role.APPLICANT, organisation=world.users["org_admin"].organisation)


def _catalogues(world: World, n: int) -> None:
    start = PublishedCatalogue.objects.count()
    for i in range(start, start + n):
        PublishedCatalogue.objects.create(
            quarter=f"20{10 + i}Q1",
            record_count=1,
            xlsx_name="c.xlsx",
            pdf_name="c.pdf",
            published_at=timezone.now() - timedelta(days=i),
        )


def _regions(world: World, n: int) -> None:
    for _ in range(n):
        RegionFactory(level="city", parent=world.regions["province"])


def _classifications(world: World, n: int) -> None:
    for _ in range(n):
        ClassificationFactory()


def _work(world: World, n: int) -> None:
    """A bit of every kind of work the to-do page lists: records and demands in review, returned and
    drafted, running clocks, proposed and pushed suggestions, organisations to verify, unread messages."""
    for state in (AchievementState.COUNTY_REVIEW, AchievementState.RETURNED, AchievementState.DRAFT):
        _achievements(state)(world, n)
    for state in (DemandState.SUBMITTED, DemandState.RETURNED, DemandState.DRAFT):
        _demands(state)(world, n)
    _pushes(world, n)
    _suggestions(world, n)
    _pending_organisations(world, n)
    _threads(world, n)
    _notifications(world, n)


def _industry_children(world: World, n: int) -> None:
    from techmarket.core.models import Classification

    section = Classification.objects.get(scheme="industry", code="C")
    for _ in range(n):
        ClassificationFactory(scheme="industry", parent=section)


def _receipts(world: World, n: int) -> None:
    """Pending receipts and amendments of registered contracts of the applicant's university (the county
    registrar's region), one contract per batch."""
    from techmarket.contracts.models import Amendment
    from techmarket.contracts.tests.factories import receipt, registered_contract

    applicant = world.users["applicant"]
    contract = registered_contract(seller=applicant.organisation, filed_by=applicant, total="900000.00")
    for _ in range(n):
        receipt(contract, "100.00", state="recorded")
        receipt(contract, "200.00")
        Amendment.objects.create(
            contract=contract,
            new_total_amount=contract.total_amount,
            new_certified_amount=contract.total_amount,
            reason="补充协议",
            filed_by=applicant,
        )


def _url(name: str, **query: str) -> Callable[[World], str]:
    def url(world: World) -> str:
        base = reverse(name)
        return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")

    return url


PUBLIC = ("anonymous", "applicant", "county_reviewer", "platform_admin")
# Full-text search with the pickers' filters (a province, the factories' industry code).
FILTERED = {"q": "导热", "region": "990000", "industry": "C39"}


def _contracts(world: World, n: int) -> None:
    """Technology contracts of the applicant's university with the enterprise as buyer, in the registry's
    queue (submitted), each with a non-technical part and a payment plan."""
    from techmarket.contracts.tests import helpers as contract_helpers

    people = {
        "filer": world.users["applicant"],
        "registrar": world.users["registrar"],
        "buyer": world.users["enterprise"].organisation,
    }
    made = world.shared.setdefault("contracts", 0)
    for index in range(made, made + n):
        day = f"2026-{1 + index // 28:02d}-{1 + index % 28:02d}"
        contract_helpers.in_state(people, "submitted", signed_on=day)
    world.shared["contracts"] = made + n


ENDPOINTS = [
    # Pages
    Endpoint("page achievements:catalogue", _url("achievements:catalogue"), _achievements(), PUBLIC),
    Endpoint(
        "page achievements:catalogue filtered",
        _url("achievements:catalogue", **FILTERED, trl_min="3", trl_max="9"),
        _achievements(),
        PUBLIC,
    ),
    Endpoint(
        "page achievements:mine",
        _url("achievements:mine"),
        _achievements(AchievementState.DRAFT),
        ("applicant",),
    ),
    Endpoint(
        "page achievements:review_queue",
        _url("achievements:review_queue"),
        _achievements(AchievementState.COUNTY_REVIEW),
        ("county_reviewer", "city_reviewer"),
    ),
    Endpoint("page achievements:catalogues", _url("achievements:catalogues"), _catalogues, ("anonymous",)),
    Endpoint("page demands:hall", _url("demands:hall"), _demands(), PUBLIC),
    Endpoint(
        "page demands:hall filtered",
        _url("demands:hall", **FILTERED, budget_max="500", cooperation="license"),
        _demands(),
        PUBLIC,
    ),
    Endpoint(
        "page core:region_children",
        _url("core:region_children", field="region", region="990000"),
        _regions,
        ("anonymous",),
    ),
    Endpoint("page demands:mine", _url("demands:mine"), _demands(DemandState.DRAFT), ("enterprise",)),
    Endpoint(
        "page demands:review_queue",
        _url("demands:review_queue"),
        _demands(DemandState.SUBMITTED),
        ("county_reviewer", "platform_admin"),
    ),
    Endpoint("page experts:list", _url("experts:list"), _experts, PUBLIC),
    Endpoint("page trading:hall", _url("trading:hall"), _listings(), PUBLIC),
    Endpoint(
        "page trading:hall filtered",
        _url("trading:hall", q="导热", mode="license", price_max="500", region="990000"),
        _listings(),
        PUBLIC,
    ),
    Endpoint("page trading:mine", _url("trading:mine"), _listings("draft"), ("applicant",)),
    Endpoint(
        "page trading:review_queue", _url("trading:review_queue"), _listings("submitted"), ("platform_admin",)
    ),
    Endpoint("page notifications:inbox", _url("notifications:inbox"), _notifications, ("applicant",)),
    Endpoint("page docking:dashboard", _url("docking:dashboard"), _demands(), ("county_reviewer", "broker")),
    Endpoint("page docking:inbox", _url("docking:inbox"), _pushes, ("org_admin",)),
    Endpoint("page docking:policies", _url("docking:policies"), _policies, ("platform_admin",)),
    Endpoint(
        "page accounts:organisation_queue",
        _url("accounts:organisation_queue"),
        _pending_organisations,
        ("platform_admin",),
    ),
    Endpoint(
        "page core:todo",
        _url("core:todo"),
        _work,
        ("applicant", "enterprise", "org_admin", "county_reviewer", "broker", "platform_admin"),
    ),
    Endpoint("page core:todo_badge", _url("core:todo_badge"), _work, ("county_reviewer", "org_admin")),
    Endpoint("page accounts:role_admin", _url("accounts:role_admin"), _role_assignments, ("platform_admin",)),
    Endpoint(
        "page matching:reverse",
        lambda world: reverse("matching:reverse", args=[world.shared["achievement"].pk]),
        _reverse_matches,
        ("applicant", "county_reviewer"),
    ),
    # API
    Endpoint("api achievement-list", _url("api:achievement-list"), _achievements(), PUBLIC),
    Endpoint(
        "api achievement-list filtered", _url("api:achievement-list", **FILTERED), _achievements(), PUBLIC
    ),
    Endpoint("api demand-list", _url("api:demand-list"), _demands(), PUBLIC),
    Endpoint("api demand-list filtered", _url("api:demand-list", **FILTERED), _demands(), PUBLIC),
    Endpoint("api expert-list", _url("api:expert-list"), _experts, PUBLIC),
    Endpoint("api listing-list", _url("api:listing-list"), _listings(), PUBLIC),
    Endpoint("api notification-list", _url("api:notification-list"), _notifications, ("applicant",)),
    Endpoint("api auth-tokens", _url("api:auth-tokens"), _tokens, ("applicant",)),
    Endpoint("page accounts:tokens", _url("accounts:tokens"), _tokens, ("applicant",)),
    Endpoint("api docking-push-list", _url("api:docking-push-list"), _pushes, ("org_admin",)),
    Endpoint("page conversations:list", _url("conversations:list"), _threads, ("enterprise", "applicant")),
    Endpoint("api conversation-thread-list", _url("api:conversation-thread-list"), _threads, ("applicant",)),
    Endpoint("api docking-dashboard", _url("api:docking-dashboard"), _demands(), ("county_reviewer",)),
    Endpoint(
        "api suggestion-list",
        lambda world: reverse("api:suggestion-list") + f"?demand={world.shared['demand'].pk}",
        _suggestions,
        ("county_reviewer", "broker"),
    ),
    Endpoint(
        "api demand-match-detail",
        lambda world: reverse("api:demand-match-detail", args=[world.shared["achievement"].pk]),
        _reverse_matches,
        ("applicant", "county_reviewer"),
    ),
    Endpoint("page deals:mine", _url("deals:mine"), _deals, ("enterprise", "applicant")),
    Endpoint("page deals:notices", _url("deals:notices"), _deals, ("anonymous", "enterprise", "applicant")),
    Endpoint("api negotiation-list", _url("api:negotiation-list"), _deals, ("enterprise", "applicant")),
    Endpoint("api deal-list", _url("api:deal-list"), _deals, ("enterprise", "applicant")),
    Endpoint("api dealnotice-list", _url("api:dealnotice-list"), _deals, ("anonymous", "applicant")),
    Endpoint("page contracts:mine", _url("contracts:mine"), _contracts, ("applicant", "enterprise")),
    Endpoint("page contracts:queue", _url("contracts:queue"), _contracts, ("registrar",)),
    Endpoint("api contract-list", _url("api:contract-list"), _contracts, ("applicant", "enterprise")),
    Endpoint(
        "api contract-list registry", _url("api:contract-list", scope="registry"), _contracts, ("registrar",)
    ),
    Endpoint("page contracts:receipt_queue", _url("contracts:receipt_queue"), _receipts, ("registrar",)),
    Endpoint("page contracts:income", _url("contracts:income"), _receipts, ("applicant",)),
    Endpoint("api receipt-list", _url("api:receipt-list"), _receipts, ("applicant", "registrar")),
    Endpoint("api amendment-list", _url("api:amendment-list"), _receipts, ("applicant", "registrar")),
    Endpoint("api region-list", _url("api:region-list", parent="990000"), _regions, ("anonymous",)),
    Endpoint("api classification-list", _url("api:classification-list"), _classifications, ("anonymous",)),
    Endpoint(
        "page core:classification_children",
        lambda world: (
            reverse("core:classification_children", args=["industry"]) + "?field=industry&industry=C"
        ),
        _industry_children,
        ("anonymous",),
    ),
]


@pytest.fixture
def world(regions, reviewers, organisation, applicant) -> World:
    enterprise_org = OrganisationFactory(region=regions["county"], kind=OrganisationKind.ENTERPRISE)
    institute = OrganisationFactory(region=regions["city"], kind=OrganisationKind.INSTITUTE)
    agency = OrganisationFactory(region=regions["city"], kind=OrganisationKind.AGENCY)
    users = {
        "anonymous": None,
        "applicant": applicant,
        "enterprise": user_with_role(Role.ENTERPRISE, organisation=enterprise_org),
        "org_admin": user_with_role(Role.ORG_ADMIN, organisation=institute),
        "county_reviewer": reviewers["county"],
        "city_reviewer": reviewers["city"],
        "province_reviewer": reviewers["province"],
        "platform_admin": user_with_role(Role.PLATFORM_ADMIN),
        "broker": user_with_role(Role.BROKER, organisation=agency),
        "registrar": user_with_role(Role.REGISTRAR, region=regions["city"]),
    }
    return World(regions=regions, users=users, shared={})


def _measure(world: World, endpoint: Endpoint) -> dict[str, tuple[int, list[str]]]:
    counts = {}
    for role in endpoint.roles:
        client = Client()
        if world.users[role] is not None:
            client.force_login(world.users[role])
        url = endpoint.url(world)
        client.get(url)  # warm per-process caches (settings, translations, content types)
        count, response, sql = count_queries(lambda client=client, url=url: client.get(url))
        assert response.status_code == 200, f"{endpoint.key} as {role}: {response.status_code}"
        counts[role] = (count, sql)
    return counts


def test_every_list_endpoint_is_measured():
    keys = [endpoint.key for endpoint in ENDPOINTS]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.key)
def test_list_query_counts(world, endpoint):
    endpoint.add_rows(world, N)
    small = _measure(world, endpoint)
    endpoint.add_rows(world, N)
    large = _measure(world, endpoint)
    for role in endpoint.roles:
        key = f"{endpoint.key} [{role}]"
        assert_flat(key, small[role][0], large[role][0], large[role][1])
        BASELINE.check(key, small[role][0], small[role][1])
