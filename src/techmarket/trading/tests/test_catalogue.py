"""The trading floor in the achievements catalogue (ADR 0011): the 可交易, listing mode and price filters
on the page, the API and the export command, and the cards' badges — never revealing a 受限
achievement's listing price or mode that its seller did not make public."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from techmarket.accounts.policies import ANONYMOUS, principal_of
from techmarket.achievements import market, selectors
from techmarket.achievements import services as achievement_services
from techmarket.achievements.choices import Confidentiality
from techmarket.trading.choices import ListingState, Pricing
from techmarket.trading.market import tradable_listings, trade_badges
from techmarket.trading.tests.factories import listing_in_state, published_achievement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _zh() -> Any:
    """The labels are compared in the source language, whatever an earlier test left active."""
    with translation.override("zh-hans"):
        yield


def _link(achievement: Any) -> str:
    return f'href="{reverse("achievements:detail", args=[achievement.pk])}"'


def _ids(queryset: Any) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def _catalogue(principal: Any, **trade: Any) -> set[int]:
    filters = selectors.Filters(trade=market.TradeFilter(**trade))
    return _ids(selectors.achievement_filter(selectors.achievement_catalogue(principal), filters, principal))


@pytest.fixture
def floor(world: dict[str, Any], reviewers: dict[str, Any]) -> dict[str, Any]:
    """A public achievement listed open (transfer, fixed 120 万元); one in notice; one not listed; a 受限
    one open for negotiation at 50 万元 with only mode and summary public, shown to the buyer by grant."""
    seller, admin, region = world["seller"], world["admin"], world["regions"]["county"]

    def achievement(**overrides: Any) -> Any:
        return published_achievement(applicant=seller, region=region, reviewers=reviewers, **overrides)

    open_one = world["achievement"]
    listing_in_state(
        ListingState.OPEN,
        seller=seller,
        achievement=open_one,
        admin=admin,
        mode="transfer",
        pricing=Pricing.FIXED,
        price="120.00",
    )
    in_notice = achievement()
    listing_in_state(ListingState.NOTICE, seller=seller, achievement=in_notice, admin=admin)
    unlisted = achievement()
    restricted = achievement(confidentiality=Confidentiality.RESTRICTED)
    achievement_services.access_grant(actor=seller, achievement=restricted, user=world["buyer"])
    restricted_listing = listing_in_state(
        ListingState.NEGOTIATING,
        seller=seller,
        achievement=restricted,
        admin=admin,
        pricing=Pricing.NEGOTIABLE,
        price="50.00",
        public_fields=["mode", "summary"],
    )
    return {
        **world,
        "open": open_one,
        "notice": in_notice,
        "unlisted": unlisted,
        "restricted": restricted,
        "restricted_listing": restricted_listing,
    }


def test_tradable_means_open_negotiating_or_in_auction_not_in_notice(floor: dict[str, Any]) -> None:
    buyer = principal_of(floor["buyer"])
    assert _catalogue(buyer, tradable=True) == {floor["open"].pk, floor["restricted"].pk}
    assert _catalogue(ANONYMOUS, tradable=True) == {floor["open"].pk}  # the 受限 record stays unseen


def test_mode_filter_only_matches_a_mode_the_viewer_may_read(floor: dict[str, Any]) -> None:
    buyer = principal_of(floor["buyer"])
    assert _catalogue(buyer, mode="transfer") == {floor["open"].pk}
    assert _catalogue(buyer, mode="license") == {floor["restricted"].pk}  # mode is public on it
    assert _catalogue(buyer, mode="equity") == set()


def test_price_filter_never_reveals_a_restricted_listings_price(floor: dict[str, Any]) -> None:
    buyer = principal_of(floor["buyer"])
    seller = principal_of(floor["seller"])
    admin = principal_of(floor["admin"])
    # 50 万元 is the 受限 listing's price, not public: the buyer (who sees the record) cannot find it by price.
    assert _catalogue(buyer, price_min=Decimal("40"), price_max=Decimal("60")) == set()
    assert _catalogue(buyer, price_min=Decimal("100")) == {floor["open"].pk}
    # Its seller and the trading administrators read the price, so they may filter on it.
    assert _catalogue(seller, price_min=Decimal("40"), price_max=Decimal("60")) == {floor["restricted"].pk}
    # (the platform administrator does not see the 受限 record in the catalogue, but its listings do match)
    listings = tradable_listings(admin, market.TradeFilter(price_max=Decimal("60")))
    assert set(listings.values_list("achievement_id", flat=True)) == {floor["restricted"].pk}
    # Once the seller makes the price public, the buyer may filter on it too.
    listing = floor["restricted_listing"]
    listing.public_fields = ["mode", "price", "summary"]
    listing.save(update_fields=["public_fields"])
    assert _catalogue(buyer, price_max=Decimal("60")) == {floor["restricted"].pk}


def test_badges_say_the_state_and_cut_the_price(floor: dict[str, Any]) -> None:
    buyer = principal_of(floor["buyer"])
    ids = [floor[name].pk for name in ("open", "notice", "unlisted", "restricted")]
    badges = trade_badges(buyer, ids)
    assert set(badges) == {floor["open"].pk, floor["notice"].pk, floor["restricted"].pk}
    assert badges[floor["open"].pk].tradable
    assert badges[floor["open"].pk].price == Decimal("120.00")
    assert badges[floor["open"].pk].mode_label == "转让"
    assert not badges[floor["notice"].pk].tradable
    restricted = badges[floor["restricted"].pk]
    assert restricted.status_label == "已挂牌 · 洽谈中"
    assert restricted.price is None
    assert restricted.price_label == ""
    assert restricted.mode_label == "许可"
    seller_view = trade_badges(principal_of(floor["seller"]), [floor["restricted"].pk])
    assert seller_view[floor["restricted"].pk].price == Decimal("50.00")


def test_catalogue_page_filters_and_shows_the_badge(client: Client, floor: dict[str, Any]) -> None:
    url = reverse("achievements:catalogue")
    response = client.get(url, {"tradable": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert _link(floor["open"]) in page
    assert _link(floor["unlisted"]) not in page
    assert "可交易" in page
    assert "120.00 万元" in page
    client.force_login(floor["buyer"])
    page = client.get(url, {"tradable": "1", "listing_mode": "license"}).content.decode()
    assert _link(floor["restricted"]) in page
    assert "已挂牌 · 洽谈中" in page
    assert "50.00" not in page  # the 受限 listing's price is not shown to the buyer


@pytest.mark.parametrize(
    "params",
    [
        {"tradable": "maybe"},
        {"listing_mode": "barter"},
        {"listing_price_min": "abc"},
        {"listing_price_min": "-5"},
        {"listing_price_min": "100", "listing_price_max": "10"},
        {"listing_price_max": "1e400"},
    ],
)
def test_bad_trading_filters_get_a_clear_message(client: Client, floor: dict[str, Any], params: Any) -> None:
    response = client.get(reverse("achievements:catalogue"), params)
    assert response.status_code == 200
    page = response.content.decode()
    assert "部分筛选条件无效" in page
    assert _link(floor["open"]) not in page
    api = APIClient().get("/api/v1/achievements/", params)
    assert api.status_code == 400
    assert api.json()["code"] == "invalid_filter"


def test_api_filters_on_listings(floor: dict[str, Any]) -> None:
    api = APIClient()
    response = api.get("/api/v1/achievements/", {"tradable": "true"})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {floor["open"].pk}
    api.force_authenticate(floor["buyer"])
    ids = {
        row["id"] for row in api.get("/api/v1/achievements/", {"listing_price_max": "60"}).json()["results"]
    }
    assert ids == set()


def test_without_a_market_nothing_is_tradable(floor: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(market, "_MARKETS", [])
    assert _catalogue(ANONYMOUS, tradable=True) == set()
    assert _catalogue(ANONYMOUS) == _catalogue(ANONYMOUS)  # no trade filter: unchanged
