"""Links and buttons appear exactly when the page they lead to answers 200, for every role.

Each gated link is checked on the pages that carry it: shown iff a GET of its target (as the same
user, without following redirects) answers 200. The three personal lists (本单位成果, 本单位需求,
对接邀请) are open to anyone signed in and list only the caller's own rows; the menu offers them to
the roles their policy names, so for them the check is one-way (shown ⇒ 200) plus the policy.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import principal_of
from techmarket.accounts.tests.factories import PASSWORD, UserFactory, user_with_role
from techmarket.achievements import policies as achievement_policies
from techmarket.achievements.choices import AchievementState as S
from techmarket.achievements.tests.cast import ROLES, build_cast
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.contracts import policies as contract_policies
from techmarket.conversations import policies as conversation_policies
from techmarket.deals import policies as deal_policies
from techmarket.demands import policies as demand_policies
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state
from techmarket.docking import policies as docking_policies
from techmarket.experts.tests.factories import expert as make_expert
from techmarket.statistics import policies as statistics_policies
from techmarket.subsidies import policies as subsidy_policies
from techmarket.trading import policies as trading_policies

pytestmark = pytest.mark.django_db

ALL_ROLES = (*ROLES, "superuser", "registrar")
# Menu entries whose page refuses everyone else.
NAV_GATED = (
    "achievements:review_queue",
    "demands:review_queue",
    "docking:dashboard",
    "accounts:organisation_queue",
    "accounts:role_admin",
    "subsidies:policies",
)
# Menu entries offered by a policy; the page itself is open to anyone signed in.
NAV_OFFERED = {
    "achievements:mine": achievement_policies.can_list_own,
    "demands:mine": demand_policies.can_list_own,
    "docking:inbox": docking_policies.can_receive_pushes,
    "conversations:list": conversation_policies.can_list,
    "trading:mine": trading_policies.can_see_own_listings,
    "deals:mine": deal_policies.can_list_negotiations,
    "trading:review_queue": trading_policies.can_review_listings,
    "contracts:mine": contract_policies.can_list_contracts,
    "contracts:queue": contract_policies.can_review_contracts,
    "subsidies:public_list": lambda principal: True,
    "subsidies:runs": subsidy_policies.can_list_runs,
    "statistics:dashboard": statistics_policies.can_view_dashboard,
    "statistics:kpi": statistics_policies.can_view_dashboard,
}


@pytest.fixture
def cast(regions, reviewers, organisation, applicant) -> dict[str, Any]:
    people = build_cast(regions, reviewers, organisation, applicant)
    people["superuser"] = UserFactory(is_superuser=True, is_staff=True, organisation=None, username="root")
    people["registrar"] = user_with_role(Role.REGISTRAR, region=regions["city"], username="registrar")
    return people


def client_for(user: Any) -> Client:
    client = Client()
    if getattr(user, "is_authenticated", False):
        assert client.login(username=user.username, password=PASSWORD)
    return client


def nav_html(html: str) -> str:
    return re.search(r"<nav class=\"navbar.*?</nav>", html, re.S).group(0)  # type: ignore[union-attr]


def shown(html: str, url: str) -> bool:
    return f'href="{url}"' in html


def assert_links_match_pages(role: str, client: Client, page_url: str, targets: list[str]) -> None:
    page = client.get(page_url)
    if page.status_code != 200:
        return
    html = page.content.decode()
    for target in targets:
        status = client.get(target).status_code
        assert shown(html, target) == (status == 200), (role, page_url, target, status)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_menu_entries_lead_to_pages_that_open(role, cast):
    client = client_for(cast[role])
    nav = nav_html(client.get(reverse("core:home")).content.decode())
    for name in NAV_GATED:
        url = reverse(name)
        status = client.get(url).status_code
        assert shown(nav, url) == (status == 200), (role, name, status)
    principal = principal_of(cast[role])
    for name, offered in NAV_OFFERED.items():
        url = reverse(name)
        assert shown(nav, url) == offered(principal), (role, name)
        if shown(nav, url):
            assert client.get(url).status_code == 200, (role, name)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_achievement_page_links(role, cast, regions, reviewers, applicant):
    client = client_for(cast[role])
    published = achievement_in_state(
        S.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    draft = achievement_in_state(S.DRAFT, applicant=applicant, region=regions["county"], reviewers=reviewers)
    for record in (published, draft):
        assert_links_match_pages(
            role,
            client,
            reverse("achievements:detail", args=[record.pk]),
            [reverse("matching:reverse", args=[record.pk]), reverse("achievements:edit", args=[record.pk])],
        )
    assert_links_match_pages(
        role,
        client,
        reverse("achievements:mine"),
        [reverse("achievements:create"), reverse("achievements:import")],
    )
    assert_links_match_pages(
        role, client, reverse("achievements:catalogues"), [reverse("achievements:catalogue_publish")]
    )


@pytest.mark.parametrize("role", ALL_ROLES)
def test_demand_page_links(role, cast, regions, reviewers):
    client = client_for(cast[role])
    enterprise = cast["enterprise"]
    region = enterprise.organisation.region
    demand = demand_in_state(DemandState.DRAFT, enterprise=enterprise, region=region)
    create = reverse("demands:create")
    assert_links_match_pages(role, client, reverse("demands:hall"), [create])
    assert_links_match_pages(role, client, reverse("demands:mine"), [create])
    assert_links_match_pages(
        role, client, reverse("demands:detail", args=[demand.pk]), [reverse("demands:edit", args=[demand.pk])]
    )
    assert_links_match_pages(role, client, reverse("docking:dashboard"), [reverse("docking:policies")])


@pytest.mark.parametrize("role", ALL_ROLES)
def test_expert_and_profile_page_links(role, cast, regions):
    client = client_for(cast[role])
    expert = make_expert(regions["county"])
    assert_links_match_pages(
        role, client, reverse("experts:list"), [reverse("experts:me"), reverse("experts:create")]
    )
    assert_links_match_pages(
        role, client, reverse("experts:detail", args=[expert.pk]), [reverse("experts:edit", args=[expert.pk])]
    )
    assert_links_match_pages(role, client, reverse("accounts:profile"), [reverse("accounts:member_create")])


def test_the_reverse_link_no_longer_leads_to_a_403(cast, regions, reviewers, applicant):
    """The bug of issue 8: signed-in users outside the record's circle saw a link that answered 403."""
    published = achievement_in_state(
        S.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    client = client_for(cast["enterprise"])
    page = client.get(reverse("achievements:detail", args=[published.pk])).content.decode()
    assert not shown(page, reverse("matching:reverse", args=[published.pk]))
    assert client.get(reverse("matching:reverse", args=[published.pk])).status_code == 403


@pytest.mark.parametrize("role", ALL_ROLES)
def test_trading_page_links(role, cast, regions, reviewers, applicant):
    from techmarket.trading import services as trading_services
    from techmarket.trading.tests.factories import listing_data

    client = client_for(cast[role])
    record = achievement_in_state(
        S.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    draft = trading_services.listing_create(actor=applicant, achievement=record, data=listing_data())
    hall_targets = [
        reverse("trading:mine"),
        reverse("trading:listing_create"),
        reverse("trading:review_queue"),
        reverse("trading:settings"),
    ]
    assert_links_match_pages(role, client, reverse("trading:hall"), hall_targets)
    assert_links_match_pages(
        role,
        client,
        reverse("trading:mine"),
        [reverse("trading:authorisations"), reverse("trading:listing_create")],
    )
    assert_links_match_pages(
        role,
        client,
        reverse("trading:listing_detail", args=[draft.pk]),
        [reverse("trading:listing_edit", args=[draft.pk])],
    )


@pytest.mark.parametrize("role", ALL_ROLES)
def test_auction_page_links(role, cast, regions, reviewers, applicant):
    from techmarket.trading.choices import ListingState, Pricing
    from techmarket.trading.tests.factories import admin_user, auction_for, listing_in_state

    admin = admin_user()
    record = achievement_in_state(
        S.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    listing = listing_in_state(
        ListingState.OPEN, seller=applicant, achievement=record, admin=admin, pricing=Pricing.AUCTION
    )
    auction = auction_for(listing, admin=admin)
    assert_links_match_pages(
        role,
        client_for(cast[role]),
        reverse("trading:auction_detail", args=[auction.pk]),
        [reverse("trading:auction_registrations", args=[auction.pk])],
    )


@pytest.mark.parametrize("role", ALL_ROLES)
def test_contract_page_links(role, cast, regions, applicant):
    from techmarket.accounts.tests.factories import OrganisationFactory
    from techmarket.contracts.tests import helpers as contract_helpers

    client = client_for(cast[role])
    people = {
        "filer": applicant,
        "registrar": cast["registrar"],
        "buyer": OrganisationFactory(region=regions["other_county"], name="买方公司"),
    }
    draft = contract_helpers.draft(people)
    registered = contract_helpers.in_state(people, "registered", signed_on="2026-03-02")
    assert_links_match_pages(role, client, reverse("contracts:mine"), [reverse("contracts:create")])
    for contract in (draft, registered):
        assert_links_match_pages(
            role,
            client,
            reverse("contracts:detail", args=[contract.pk]),
            [
                reverse("contracts:edit", args=[contract.pk]),
                reverse("contracts:certificate", args=[contract.pk]),
                reverse("contracts:signed_pdf", args=[contract.pk]),
            ],
        )


@pytest.mark.parametrize("role", ALL_ROLES)
def test_subsidy_page_links(role, cast):
    client = client_for(cast[role])
    assert_links_match_pages(
        role,
        client,
        reverse("subsidies:runs"),
        [reverse("subsidies:claims"), reverse("subsidies:policies")],
    )
    assert_links_match_pages(
        role,
        client,
        reverse("subsidies:policies"),
        [reverse("subsidies:policy_create"), reverse("subsidies:policy_edit", args=["yueyang-2017"])],
    )
