"""Issue 10's proof of confidentiality: no restricted field, confidential attachment or negotiation of a
受限 achievement's listing reaches anyone outside its audience — in the pages, the API, searches and
filters, matching, notifications, conversations or exports.

One scene (reached through the services, after-commit notices sent) plants unique secret strings in
every place a restricted listing keeps something: the hidden name, the price, the confidential detail,
a confidential PDF's title and content, the first buyer's offer terms and amount, the deal and its draft
contract, an objection's evidence, and a second 受限 listing in auction. Then every outsider walks every
channel and each secret is looked for in what they are answered. The seller and the granted buyer (the
positive control) do read what is theirs, so the secrets are known to be where the outsiders looked.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader
from python_calamine import CalamineWorkbook
from rest_framework.test import APIClient

from techmarket.accounts.choices import OrganisationKind, OrganisationStatus, Role
from techmarket.accounts.tests.factories import OrganisationFactory, UserFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.conversations.models import Thread
from techmarket.deals import services as deal_services
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state
from techmarket.notifications.models import Notification
from techmarket.trading import services
from techmarket.trading.choices import ListingState, Pricing
from techmarket.trading.tests.disclosure_scene import pdf_upload
from techmarket.trading.tests.factories import (
    admin_user,
    agency_with_broker,
    listing_data,
    listing_in_state,
    published_achievement,
)

pytestmark = pytest.mark.django_db

# The secrets. Each is unique to its place; the amounts are looked for by their integer part too, so a
# formatted "6,543.21" or a rounded "6543" cannot slip through.
ACHIEVEMENT_NAME = "秘名甲石墨烯导热膜隐藏成果"
AUCTION_ACHIEVEMENT_NAME = "秘名乙竞价隐藏成果"
TITLE = "秘题挂牌项目玄武岩纤维"
PRICE = "6543.21"
DETAIL = "秘详工艺参数朱雀温度九百五十度"
DOC_TITLE = "秘档青龙配方文件"
DOC_TEXT = "秘文白虎配方正文"
PAYMENT = "秘付款分九期麒麟条款"
LICENCE = "秘许可仅限貔貅地区"
OFFER_AMOUNT = "4321.87"
EVIDENCE = "秘证獬豸专利号证据"
AUCTION_TITLE = "秘题竞价项目凤凰涂层"
AUCTION_PRICE = "7777.31"
AUCTION_DETAIL = "秘详竞价工艺鲲鹏参数"

SECRETS = {
    "achievement name": ACHIEVEMENT_NAME,
    "auction achievement name": AUCTION_ACHIEVEMENT_NAME,
    "title": TITLE,
    "price": PRICE,
    "price (integer part)": "6543",
    "confidential detail": DETAIL,
    "document title": DOC_TITLE,
    "document text": DOC_TEXT,
    "payment terms": PAYMENT,
    "licence terms": LICENCE,
    "offer amount": OFFER_AMOUNT,
    "offer amount (integer part)": "4321",
    "objection evidence": EVIDENCE,
    "auction title": AUCTION_TITLE,
    "auction price": AUCTION_PRICE,
    "auction price (integer part)": "7777",
    "auction detail": AUCTION_DETAIL,
}
# The achievement's own name is the achievements app's business: its chain's reviewers read the record
# they reviewed (achievements.policies.can_view), so for them only the listing's secrets count.
REVIEWER_MAY_READ = {"achievement name", "auction achievement name"}

OUTSIDERS = (
    "anonymous",
    "no_organisation",
    "unverified",
    "buyer_without_grant",
    "other_negotiator",
    "chain_reviewer",
    "unrelated_broker",
)


@pytest.fixture(autouse=True)
def _zh() -> Any:
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def scene(
    regions: dict[str, Any], reviewers: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> dict[str, Any]:
    capture = django_capture_on_commit_callbacks
    university = OrganisationFactory(
        region=regions["county"], name="某大学", kind=OrganisationKind.UNIVERSITY
    )
    seller = user_with_role(Role.APPLICANT, organisation=university, username="seller")
    admin = admin_user()

    def enterprise(name: str, **org: Any) -> Any:
        organisation = OrganisationFactory(
            kind=OrganisationKind.ENTERPRISE, region=regions["county"], name=f"{name}公司", **org
        )
        return user_with_role(Role.ENTERPRISE, organisation=organisation, username=name)

    people: dict[str, Any] = {
        "anonymous": None,
        "no_organisation": UserFactory(organisation=None, username="loner"),
        "unverified": enterprise("unverified", status=OrganisationStatus.PENDING),
        "buyer_without_grant": enterprise("nogrant"),
        "other_negotiator": enterprise("othernego"),
        "chain_reviewer": reviewers["county"],
        "unrelated_broker": agency_with_broker(regions["city"])[1],
        "seller": seller,
        "buyer": enterprise("granted"),
    }
    objector = enterprise("objector")

    with capture(execute=True):
        achievement = published_achievement(
            applicant=seller,
            region=regions["county"],
            reviewers=reviewers,
            confidentiality="restricted",
            name=ACHIEVEMENT_NAME,
        )
        # Outsiders' demands that match the achievement, published before the listing opens: the
        # suggestions and the listing alerts have the chance to carry the secrets.
        demands = {
            who: demand_in_state(
                DemandState.PUBLISHED,
                enterprise=people[who],
                region=regions["county"],
                reviewer=reviewers["county"],
            )
            for who in ("buyer_without_grant", "other_negotiator")
        }
    data = listing_data(
        title=TITLE,
        price=PRICE,
        confidential_detail=DETAIL,
        public_fields=[],  # the owner marked no field public
        public_summary="公开摘要：一项导热材料技术。",
    )
    with capture(execute=True):
        listing = services.listing_create(actor=seller, achievement=achievement, data=data)
        listing = services.listing_submit(actor=seller, listing=listing)
        listing = services.listing_approve(actor=admin, listing=listing)
    with capture(execute=True):
        objection = services.objection_file(
            actor=objector, listing=listing, reason="权属存疑", evidence=EVIDENCE
        )
    with capture(execute=True):
        services.objection_dismiss(actor=admin, objection=objection, reason="证据不足")
    with capture(execute=True):
        opened = services.listing_open(listing_id=listing.pk, now=listing.notice_ends_at)
        assert opened is not None
        listing = opened
    nda = services.nda_set(actor=seller, listing=listing, text="买方负有保密义务。")
    document = services.document_upload(
        actor=seller,
        listing=listing,
        title=DOC_TITLE,
        upload=pdf_upload("配方.pdf", DOC_TEXT),
        confidential=True,
    )
    with capture(execute=True):
        request = services.disclosure_request(
            actor=people["buyer"], listing=listing, nda_id=nda.pk, accepted=True
        )
        services.disclosure_grant(actor=seller, request=request, days=30)
    with capture(execute=True):
        negotiation = deal_services.negotiation_open(actor=people["buyer"], listing=listing)
        offer = deal_services.offer_make(
            actor=people["buyer"],
            negotiation=negotiation,
            amount=OFFER_AMOUNT,
            payment_terms=PAYMENT,
            licence_terms=LICENCE,
        )
    with capture(execute=True):
        other = deal_services.negotiation_open(actor=people["other_negotiator"], listing=listing)
        deal_services.offer_make(actor=people["other_negotiator"], negotiation=other, amount="50")
    with capture(execute=True):
        deal = deal_services.offer_accept(actor=seller, offer=offer)

    with capture(execute=True):
        auction_achievement = published_achievement(
            applicant=seller,
            region=regions["county"],
            reviewers=reviewers,
            confidentiality="restricted",
            name=AUCTION_ACHIEVEMENT_NAME,
        )
        auctioned = listing_in_state(
            ListingState.IN_AUCTION,
            seller=seller,
            achievement=auction_achievement,
            admin=admin,
            title=AUCTION_TITLE,
            price=AUCTION_PRICE,
            pricing=Pricing.AUCTION,
            confidential_detail=AUCTION_DETAIL,
            public_fields=[],
        )
    return {
        "people": people,
        "admin": admin,
        "achievement": achievement,
        "listing": listing,
        "document": document,
        "objection": objection,
        "negotiation": negotiation,
        "other_negotiation": other,
        "offer": offer,
        "deal": deal,
        "demands": demands,
        "auction_listing": auctioned,
        "auction": auctioned.auctions.get(),
    }


# --- clients and readers ------------------------------------------------------------------------------


def _page(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _api(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _xlsx_text(content: bytes) -> str:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return "\n".join(
        "\t".join(str(cell) for cell in row)
        for name in book.sheet_names
        for row in book.get_sheet_by_name(name).to_python()
    )


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _text(response: Any) -> str:
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        return _xlsx_text(response.content)
    if "pdf" in kind:
        return _pdf_text(response.content)
    return response.content.decode(errors="replace")


Channel = tuple[str, Callable[[], Any]]


def _channels(scene: dict[str, Any], user: Any) -> Iterable[Channel]:
    """Every channel an outsider may try, as (name, call answering a response)."""
    page, api = _page(user), _api(user)
    listing, auctioned = scene["listing"], scene["auction_listing"]
    auction, deal = scene["auction"], scene["deal"]
    hall = reverse("trading:hall")
    catalogue = reverse("achievements:catalogue")
    export = reverse("achievements:export")
    trade_filters = (
        {"tradable": "1"},
        {"listing_mode": "license"},
        {"listing_price_min": "6543", "listing_price_max": "6544"},
        {"listing_price_min": "7777", "listing_price_max": "7778"},
        {"q": ACHIEVEMENT_NAME},
        {"q": TITLE},
    )
    searches = (TITLE, DETAIL, AUCTION_TITLE, AUCTION_DETAIL, PAYMENT, EVIDENCE, DOC_TITLE)
    yield "hall", lambda: page.get(hall)
    for word in searches:
        yield f"hall ?q={word}", lambda word=word: page.get(hall, {"q": word})
        yield f"api listings ?search={word}", lambda word=word: api.get("/api/v1/listings/", {"search": word})
    for low, high in (("6543", "6544"), ("7777", "7778")):
        yield (
            f"hall price {low}",
            lambda low=low, high=high: page.get(hall, {"price_min": low, "price_max": high}),
        )
        yield (
            f"api listings price {low}",
            lambda low=low, high=high: api.get("/api/v1/listings/", {"price_min": low, "price_max": high}),
        )
    for target in (listing, auctioned):
        pk = target.pk
        yield f"listing page {pk}", lambda pk=pk: page.get(reverse("trading:listing_detail", args=[pk]))
        yield f"disclosure page {pk}", lambda pk=pk: page.get(reverse("trading:disclosure", args=[pk]))
        yield f"api listing {pk}", lambda pk=pk: api.get(f"/api/v1/listings/{pk}/")
        yield f"api confidential {pk}", lambda pk=pk: api.get(f"/api/v1/listings/{pk}/confidential/")
        yield f"api documents {pk}", lambda pk=pk: api.get(f"/api/v1/listings/{pk}/documents/")
        yield f"api objections {pk}", lambda pk=pk: api.get(f"/api/v1/listings/{pk}/objections/")
    yield "api listings", lambda: api.get("/api/v1/listings/")
    document_url = reverse("trading:document_download", args=[listing.pk, scene["document"].pk])
    yield "document download", lambda: page.get(document_url)
    yield "api document", lambda: api.get(f"/api/v1/listings/{listing.pk}/documents/{scene['document'].pk}/")
    yield "api objection", lambda: api.get(f"/api/v1/listing-objections/{scene['objection'].pk}/")
    yield "auction page", lambda: page.get(reverse("trading:auction_detail", args=[auction.pk]))
    yield "auction live", lambda: page.get(reverse("trading:auction_live", args=[auction.pk]))
    yield "api auctions", lambda: api.get("/api/v1/auctions/")
    yield "api auction", lambda: api.get(f"/api/v1/auctions/{auction.pk}/")
    # Negotiation and deals.
    nego, offer = scene["negotiation"], scene["offer"]
    yield "negotiation page", lambda: page.get(reverse("deals:negotiation", args=[nego.pk]))
    yield "my deals page", lambda: page.get(reverse("deals:mine"))
    yield "deal page", lambda: page.get(reverse("deals:deal", args=[deal.pk]))
    yield "certificate", lambda: page.get(reverse("deals:certificate", args=[deal.pk]))
    yield "deal notices", lambda: page.get(reverse("deals:notices"))
    yield "deal notice", lambda: page.get(reverse("deals:notice", args=[deal.notice.pk]))
    yield "api negotiations", lambda: api.get("/api/v1/negotiations/")
    yield "api negotiation", lambda: api.get(f"/api/v1/negotiations/{nego.pk}/")
    yield "api negotiation offers", lambda: api.get(f"/api/v1/negotiations/{nego.pk}/offers/")
    yield "api offer", lambda: api.get(f"/api/v1/offers/{offer.pk}/")
    yield "api deals", lambda: api.get("/api/v1/deals/")
    yield "api deal", lambda: api.get(f"/api/v1/deals/{deal.pk}/")
    yield "api deal certificate", lambda: api.get(f"/api/v1/deals/{deal.pk}/certificate/")
    yield "api deal notices", lambda: api.get("/api/v1/deal-notices/")
    yield "api deal notice", lambda: api.get(f"/api/v1/deal-notices/{deal.notice.pk}/")
    # The achievements catalogue (page, API, export) with the trading filters.
    for filters in ({}, *trade_filters):
        label = "&".join(f"{k}={v}" for k, v in filters.items())
        yield f"catalogue ?{label}", lambda filters=filters: page.get(catalogue, filters)
        yield f"api achievements ?{label}", lambda filters=filters: api.get("/api/v1/achievements/", filters)
        yield f"export ?{label}", lambda filters=filters: page.get(export, filters)
    # Conversations and notifications.
    yield "threads page", lambda: page.get(reverse("conversations:list"))
    yield "api threads", lambda: api.get("/api/v1/conversations/threads/")
    thread = scene["negotiation"].thread_id
    yield "thread page", lambda: page.get(reverse("conversations:detail", args=[thread]))
    yield "api thread", lambda: api.get(f"/api/v1/conversations/threads/{thread}/")
    yield "inbox", lambda: page.get(reverse("notifications:inbox"))
    yield "api notifications", lambda: api.get("/api/v1/notifications/")


def _matching_channels(scene: dict[str, Any], user: Any) -> Iterable[Channel]:
    """The outsider's own demand (or, for the reviewer, the demands of the region): page and API."""
    page, api = _page(user), _api(user)
    for who, demand in scene["demands"].items():
        yield (
            f"demand page of {who}",
            lambda demand=demand: page.get(reverse("demands:detail", args=[demand.pk])),
        )
        yield (
            f"api suggestions of {who}",
            lambda demand=demand: api.get("/api/v1/suggestions/", {"demand": demand.pk}),
        )
        yield (
            f"api reverse matches of {who}",
            lambda demand=demand: api.get(
                "/api/v1/demand-matches/", {"achievement": scene["achievement"].pk}
            ),
        )


def _stored_notices(user: Any) -> str:
    if user is None:
        return ""
    return "\n".join(
        f"{n.kind}|{n.title}|{n.body}|{n.link}|{n.data}" for n in Notification.objects.filter(recipient=user)
    )


def _stored_threads(user: Any) -> str:
    if user is None:
        return ""
    return "\n".join(Thread.objects.filter(participants__user=user).values_list("title", flat=True))


def _shows(text: str, value: str) -> bool:
    """Whether ``value`` appears in ``text``; an amount only as a number of its own, not inside a longer run
    of digits (a timestamp's microseconds or an id may hold "4321" by chance)."""
    if re.fullmatch(r"[\d.]+", value):
        return re.search(rf"(?<!\d){re.escape(value)}(?!\d)", text) is not None
    return value in text


def _leaks(scene: dict[str, Any], who: str) -> list[str]:
    user = scene["people"][who]
    secrets = {
        name: value
        for name, value in SECRETS.items()
        if not (who == "chain_reviewer" and name in REVIEWER_MAY_READ)
    }
    found: list[str] = []
    answers: list[tuple[str, str, list[str]]] = []
    for name, call in [*_channels(scene, user), *_matching_channels(scene, user)]:
        response = call()
        assert response.status_code < 500, (who, name, response.status_code)
        # A page echoes what the caller typed: a secret the caller searched or filtered for is not
        # looked for in that answer (whether the search *finds* the listing is probed below).
        typed = [value for _key, values in response.wsgi_request.GET.lists() for value in values]
        answers.append((name, _text(response), typed))
    answers.append(("stored notifications", _stored_notices(user), []))
    answers.append(("stored thread titles", _stored_threads(user), []))
    for channel, text, typed in answers:
        found.extend(
            f"{who}: {secret} in {channel}"
            for secret, value in secrets.items()
            if _shows(text, value) and not any(value in word or word in value for word in typed)
        )
    # Searching and filtering by a hidden field must not even find the listing (nor its achievement).
    listing_urls = (
        reverse("trading:listing_detail", args=[scene["listing"].pk]),
        reverse("trading:listing_detail", args=[scene["auction_listing"].pk]),
    )
    page, api = _page(user), _api(user)
    hall = reverse("trading:hall")
    probes = {
        "hall ?q=title": page.get(hall, {"q": TITLE}),
        "hall ?q=detail": page.get(hall, {"q": DETAIL}),
        "hall ?q=auction title": page.get(hall, {"q": AUCTION_TITLE}),
        "hall price range": page.get(hall, {"price_min": "6543", "price_max": "6544"}),
        "hall auction price range": page.get(hall, {"price_min": "7777", "price_max": "7778"}),
    }
    for probe, response in probes.items():
        text = response.content.decode()
        found.extend(f"{who}: {probe} finds the listing" for url in listing_urls if url in text)
    for params in (
        {"search": TITLE},
        {"search": DETAIL},
        {"search": AUCTION_TITLE},
        {"price_min": "6543", "price_max": "6544"},
        {"price_min": "7777", "price_max": "7778"},
    ):
        ids = {row["id"] for row in api.get("/api/v1/listings/", params).json()["results"]}
        if ids & {scene["listing"].pk, scene["auction_listing"].pk}:
            found.append(f"{who}: api listings {params} finds the listing")
    for params in (
        {"listing_price_min": "6543", "listing_price_max": "6544"},
        {"listing_price_min": "7777", "listing_price_max": "7778"},
    ):
        achievements = {scene["achievement"].pk, scene["auction_listing"].achievement_id}
        response = api.get("/api/v1/achievements/", params)
        rows = response.json()
        rows = rows.get("results", rows) if isinstance(rows, dict) else rows
        if {row["id"] for row in rows} & achievements:
            found.append(f"{who}: api achievements {params} finds the achievement")
    # The first buyer's negotiation, offer and deal are no outsider's object.
    api_objects = (
        f"/api/v1/negotiations/{scene['negotiation'].pk}/",
        f"/api/v1/offers/{scene['offer'].pk}/",
        f"/api/v1/deals/{scene['deal'].pk}/",
        f"/api/v1/listings/{scene['listing'].pk}/confidential/",
        f"/api/v1/listings/{scene['listing'].pk}/documents/{scene['document'].pk}/",
        f"/api/v1/listing-objections/{scene['objection'].pk}/",
    )
    for url in api_objects:
        if api.get(url).status_code == 200:
            found.append(f"{who}: {url} answers 200")
    for url in (
        reverse("deals:negotiation", args=[scene["negotiation"].pk]),
        reverse("deals:deal", args=[scene["deal"].pk]),
        reverse("trading:document_download", args=[scene["listing"].pk, scene["document"].pk]),
    ):
        if page.get(url).status_code == 200:
            found.append(f"{who}: {url} answers 200")
    return found


def test_the_scene_is_what_it_claims(scene: dict[str, Any]) -> None:
    listing = scene["listing"]
    assert listing.title == TITLE
    assert listing.public_fields == []
    assert scene["achievement"].confidentiality == "restricted"
    assert scene["achievement"].state == AchievementState.PUBLISHED
    assert listing.state in (ListingState.NEGOTIATING, ListingState.DEALT, ListingState.OPEN)
    assert scene["deal"].payment_terms == PAYMENT
    assert scene["auction_listing"].state == ListingState.IN_AUCTION
    assert scene["other_negotiation"].pk != scene["negotiation"].pk
    # The matching channels answer (the outsiders' demands, and a broker as a responder of public ones).
    for who, demand in scene["demands"].items():
        assert _page(scene["people"][who]).get(reverse("demands:detail", args=[demand.pk])).status_code == 200
        suggestions = _api(scene["people"]["unrelated_broker"]).get(
            "/api/v1/suggestions/", {"demand": demand.pk}
        )
        assert suggestions.status_code == 200
    # After-commit notices were sent: the parties heard of the offer and the deal.
    assert Notification.objects.filter(recipient=scene["people"]["seller"]).exists()
    assert Notification.objects.filter(recipient=scene["people"]["buyer"]).exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nothing_restricted_reaches_an_outsider(scene: dict[str, Any], who: str) -> None:
    leaks = _leaks(scene, who)
    assert not leaks, "\n".join(leaks)


def test_the_audience_reads_what_is_theirs(scene: dict[str, Any]) -> None:
    """Positive control: the secrets are where the outsiders looked."""
    seller, buyer = _page(scene["people"]["seller"]), _page(scene["people"]["buyer"])
    listing_url = reverse("trading:listing_detail", args=[scene["listing"].pk])
    seen = seller.get(listing_url).content.decode()
    assert TITLE in seen
    assert PRICE in seen
    assert DETAIL in seen
    assert DOC_TITLE in seller.get(reverse("trading:disclosure", args=[scene["listing"].pk])).content.decode()
    negotiation_url = reverse("deals:negotiation", args=[scene["negotiation"].pk])
    for client in (seller, buyer):
        page = client.get(negotiation_url).content.decode()
        assert PAYMENT in page
        assert LICENCE in page
        assert OFFER_AMOUNT in page
    assert PAYMENT in buyer.get(reverse("deals:deal", args=[scene["deal"].pk])).content.decode()
    assert TITLE in seller.get(reverse("deals:mine")).content.decode()  # 我的洽谈 names it for its parties
    # The granted buyer: the hidden fields, the confidential detail and the confidential document.
    granted = _api(scene["people"]["buyer"])
    detail = granted.get(f"/api/v1/listings/{scene['listing'].pk}/").json()
    assert detail["title"] == TITLE
    assert PRICE in str(detail["price"])
    assert DETAIL in str(granted.get(f"/api/v1/listings/{scene['listing'].pk}/confidential/").json())
    documents = str(granted.get(f"/api/v1/listings/{scene['listing'].pk}/documents/").json())
    assert DOC_TITLE in documents
    download = buyer.get(
        reverse("trading:document_download", args=[scene["listing"].pk, scene["document"].pk])
    )
    assert download.status_code == 200
    assert DOC_TEXT in _pdf_text(
        b"".join(download.streaming_content) if download.streaming else download.content
    )
    assert TITLE in buyer.get(reverse("trading:hall"), {"q": TITLE}).content.decode()
    # The seller's auction and the objection's evidence.
    assert (
        AUCTION_DETAIL
        in seller.get(reverse("trading:listing_detail", args=[scene["auction_listing"].pk])).content.decode()
    )
    evidence = _api(scene["people"]["seller"]).get(f"/api/v1/listing-objections/{scene['objection'].pk}/")
    assert EVIDENCE in evidence.content.decode()
    # Exports carry the record for its owner.
    export = seller.get(reverse("achievements:export"))
    assert ACHIEVEMENT_NAME in _xlsx_text(export.content)
