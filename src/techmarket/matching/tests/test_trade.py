"""A demand's suggested achievements say whether they are listed on the trading floor (ADR 0011): on the
demand page, in the API's suggestion payload, with the price only where the viewer may read it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from techmarket.accounts.policies import principal_of
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state, enterprise_user
from techmarket.matching import selectors
from techmarket.matching.choices import TargetKind
from techmarket.trading.choices import ListingState, Pricing
from techmarket.trading.market import listing_url
from techmarket.trading.tests.factories import admin_user, listing_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _zh() -> Any:
    """The labels are compared in the source language, whatever an earlier test left active."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def matched(regions: Any, reviewers: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    applicant = applicant_of(region=regions["county"])
    graphene = achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    listing = listing_in_state(
        ListingState.OPEN,
        seller=applicant,
        achievement=graphene,
        admin=admin_user(),
        mode="transfer",
        pricing=Pricing.NEGOTIABLE,
        price="88.00",
    )
    enterprise = enterprise_user(regions["county"])
    with django_capture_on_commit_callbacks(execute=True):
        demand = demand_in_state(
            DemandState.PUBLISHED,
            enterprise=enterprise,
            region=regions["county"],
            reviewer=reviewers["county"],
        )
    return {"achievement": graphene, "listing": listing, "demand": demand, "reviewer": reviewers["county"]}


def test_suggestions_carry_the_listing(matched: dict[str, Any]) -> None:
    shown = selectors.suggestions_for(matched["demand"], principal_of(matched["reviewer"]))
    listed = [
        s for s in shown if s.kind == TargetKind.ACHIEVEMENT and s.achievement_id == matched["achievement"].pk
    ]
    assert listed
    trade = listed[0].trade
    assert trade.status_label == "已挂牌 · 可议价"
    assert trade.price_label == "88.00 万元"
    assert trade.url == listing_url(matched["listing"].pk)
    others = [s for s in shown if s.kind != TargetKind.ACHIEVEMENT]
    assert all(s.trade is None for s in others)


def test_demand_page_and_api_show_the_listing(client: Client, matched: dict[str, Any]) -> None:
    client.force_login(matched["reviewer"])
    page = client.get(reverse("demands:detail", args=[matched["demand"].pk])).content.decode()
    assert "已挂牌 · 可议价" in page
    assert "88.00 万元" in page
    if listing_url(matched["listing"].pk):  # the listing page comes with the trading pages
        assert listing_url(matched["listing"].pk) in page
    api = APIClient()
    api.force_authenticate(matched["reviewer"])
    rows = api.get("/api/v1/suggestions/", {"demand": matched["demand"].pk}).json()
    trade = next(row["trade"] for row in rows if row["target_id"] == matched["achievement"].pk)
    assert trade["status"] == "已挂牌 · 可议价"
    assert trade["price"] == "88.00"
    assert trade["listing"] == matched["listing"].pk


def test_a_restricted_listings_price_stays_hidden_in_suggestions(matched: dict[str, Any]) -> None:
    achievement = matched["achievement"]
    achievement.confidentiality = "restricted"
    achievement.save(update_fields=["confidentiality"])  # the reviewer still sees the record
    listing = matched["listing"]
    listing.public_fields = ["mode", "summary"]
    listing.save(update_fields=["public_fields"])
    shown = selectors.suggestions_for(matched["demand"], principal_of(matched["reviewer"]))
    listed = [s for s in shown if s.achievement_id == achievement.pk]
    assert listed
    for suggestion in listed:
        assert suggestion.trade.price is None
        assert suggestion.trade.price_label == ""
