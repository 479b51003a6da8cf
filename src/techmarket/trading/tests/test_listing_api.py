"""The listing API: the same field rules and permissions as the pages; Idempotency-Key on creates; bad input
gets the error envelope and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.trading import services
from techmarket.trading.choices import ListingState, ObjectionState
from techmarket.trading.models import Listing, Objection
from techmarket.trading.tests.factories import (
    agency_with_broker,
    buyer_user,
    listing_data,
    listing_in_state,
    published_achievement,
)

pytestmark = pytest.mark.django_db
SECRET_DETAIL = "工艺参数：还原温度、辊压压力等（保密）。"


def api(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _listing(world: dict[str, Any], state: str, **overrides: Any) -> Listing:
    return listing_in_state(
        state, seller=world["seller"], achievement=world["achievement"], admin=world["admin"], **overrides
    )


def test_create_with_an_idempotency_key_creates_once(world: dict[str, Any]) -> None:
    body = {**listing_data(), "achievement": world["achievement"].pk}
    client = api(world["seller"])
    first = client.post("/api/v1/listings/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert first.status_code == 201, first.json()
    again = client.post("/api/v1/listings/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Listing.objects.count() == 1
    assert first.json()["confidential_detail"] == SECRET_DETAIL
    assert first.json()["state"] == "draft"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": "1.234"}, "price"),
        ({"price": "一百万"}, "price"),
        ({"pricing": "fixed", "price": ""}, "price"),
        ({"mode": "barter"}, "mode"),
        ({"public_fields": ["secret"]}, "public_fields"),
        ({"listing_days": 0}, "listing_days"),
    ],
)
def test_bad_listings_get_the_envelope_and_create_nothing(
    world: dict[str, Any], overrides: dict[str, Any], field: str
) -> None:
    body = {**listing_data(**overrides), "achievement": world["achievement"].pk}
    response = api(world["seller"]).post("/api/v1/listings/", body, format="json")
    assert response.status_code == 400
    payload = response.json()
    assert set(payload) == {"code", "message", "fields"}
    assert any(name.startswith(field) for name in payload["fields"]), payload
    assert not Listing.objects.exists()


def test_others_cannot_list_an_achievement(world: dict[str, Any], reviewers: dict[str, Any]) -> None:
    body = {**listing_data(), "achievement": world["achievement"].pk}
    other = user_with_role(Role.APPLICANT, organisation=OrganisationFactory(name="别的大学"))
    assert api(other).post("/api/v1/listings/", body, format="json").status_code == 403
    assert api(None).post("/api/v1/listings/", body, format="json").status_code in (401, 403)
    _agency, broker = agency_with_broker(world["regions"]["city"])
    assert (
        api(broker).post("/api/v1/listings/", {**body, "authorisation": 999}, format="json").status_code
        == 403
    )
    restricted = published_achievement(
        applicant=world["seller"],
        region=world["regions"]["county"],
        reviewers=reviewers,
        confidentiality="restricted",
    )
    hidden = {**listing_data(), "achievement": restricted.pk}
    assert api(other).post("/api/v1/listings/", hidden, format="json").status_code == 404
    assert not Listing.objects.exists()


def test_restricted_fields_never_reach_outsiders_through_the_api(
    world: dict[str, Any], reviewers: dict[str, Any]
) -> None:
    achievement = published_achievement(
        applicant=world["seller"],
        region=world["regions"]["county"],
        reviewers=reviewers,
        confidentiality="restricted",
    )
    listing = listing_in_state(
        ListingState.NOTICE,
        seller=world["seller"],
        achievement=achievement,
        admin=world["admin"],
        title="受限的钠电池正极材料挂牌",
        price="321.00",
        public_fields=["summary"],
    )
    for user in (None, world["buyer"]):
        client = api(user)
        detail = client.get(f"/api/v1/listings/{listing.pk}/").json()
        assert "title" not in detail
        assert "price" not in detail
        assert "mode" not in detail
        assert "confidential_detail" not in detail
        assert "achievement" not in detail
        assert detail["public_summary"]
        listed = client.get("/api/v1/listings/").content.decode()
        assert "钠电池" not in listed
        assert "321" not in listed
        assert SECRET_DETAIL not in listed
        assert client.get("/api/v1/listings/", {"search": "钠电池"}).json()["count"] == 0
        assert client.get("/api/v1/listings/", {"price_min": "300"}).json()["count"] == 0
    seller = api(world["seller"]).get(f"/api/v1/listings/{listing.pk}/").json()
    assert seller["title"] == "受限的钠电池正极材料挂牌"
    assert seller["confidential_detail"] == SECRET_DETAIL


def test_drafts_are_404_for_outsiders_and_actions_403_where_visible(world: dict[str, Any]) -> None:
    draft = _listing(world, ListingState.DRAFT)
    for user in (None, world["buyer"]):
        assert api(user).get(f"/api/v1/listings/{draft.pk}/").status_code == 404
    assert api(world["buyer"]).post(f"/api/v1/listings/{draft.pk}/transitions/submit/").status_code == 404
    notice = _listing(world, ListingState.NOTICE)
    refused = api(world["buyer"]).post(f"/api/v1/listings/{notice.pk}/transitions/withdraw/")
    assert refused.status_code == 403
    assert set(refused.json()) == {"code", "message", "fields"}
    edit = api(world["buyer"]).patch(f"/api/v1/listings/{notice.pk}/", {"title": "x"}, format="json")
    assert edit.status_code == 403
    notice.refresh_from_db()
    assert notice.state == ListingState.NOTICE
    assert notice.title != "x"


def test_the_whole_flow_through_the_api(world: dict[str, Any]) -> None:
    seller, admin, buyer = api(world["seller"]), api(world["admin"]), api(world["buyer"])
    created = seller.post(
        "/api/v1/listings/", {**listing_data(), "achievement": world["achievement"].pk}, format="json"
    ).json()
    pk = created["id"]
    assert (
        seller.patch(f"/api/v1/listings/{pk}/", {"price": "90.50"}, format="json").json()["price"] == "90.50"
    )
    assert seller.post(f"/api/v1/listings/{pk}/transitions/submit/").json()["state"] == "submitted"
    # Editing a submitted listing: a clear refusal, nothing changed.
    refused = seller.patch(f"/api/v1/listings/{pk}/", {"price": "1"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "not_editable"
    missing = admin.post(f"/api/v1/listings/{pk}/transitions/return/", {"reason": ""}, format="json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "reason_required"
    assert admin.post(f"/api/v1/listings/{pk}/transitions/approve/").json()["state"] == "notice"
    # An objection during the notice, filed once for a retried key, resolved by the administrator.
    body = {"reason": "权属有争议", "evidence": "专利号 ZL2020"}
    filed = buyer.post(f"/api/v1/listings/{pk}/objections/", body, format="json", HTTP_IDEMPOTENCY_KEY="o1")
    assert filed.status_code == 201
    again = buyer.post(f"/api/v1/listings/{pk}/objections/", body, format="json", HTTP_IDEMPOTENCY_KEY="o1")
    assert again.json()["id"] == filed.json()["id"]
    assert Objection.objects.count() == 1
    empty = buyer.post(f"/api/v1/listings/{pk}/objections/", {"reason": "", "evidence": ""}, format="json")
    assert empty.status_code == 400
    assert Objection.objects.count() == 1
    objection = filed.json()["id"]
    assert len(seller.get(f"/api/v1/listings/{pk}/objections/").json()) == 1
    assert api(buyer_user()).get(f"/api/v1/listings/{pk}/objections/").json() == []
    assert api(buyer_user()).get(f"/api/v1/listing-objections/{objection}/").status_code == 404
    no = seller.post(f"/api/v1/listing-objections/{objection}/transitions/dismiss/", {"reason": "x"})
    assert no.status_code == 403
    done = admin.post(
        f"/api/v1/listing-objections/{objection}/transitions/dismiss/", {"reason": "证据不足"}, format="json"
    )
    assert done.status_code == 200
    assert done.json()["state"] == ObjectionState.DISMISSED
    # After the notice: no more objections.
    listing = Listing.objects.get(pk=pk)
    services.listing_open(listing_id=pk, now=listing.notice_ends_at)
    late = buyer.post(f"/api/v1/listings/{pk}/objections/", body, format="json")
    assert late.status_code in (400, 409)
    assert "公示期" in late.json()["message"]
    assert api(None).get("/api/v1/listings/", {"state": "open"}).json()["count"] == 1
    bad = api(None).get("/api/v1/listings/", {"price_min": "abc"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_filter"
