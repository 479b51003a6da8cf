"""The listing pages: the hall and its filters, a listing's page as each role reads it, filing and editing,
review, objections, 我的挂牌, authorisations and the trading settings; bad input changes nothing."""

from __future__ import annotations

import datetime
import logging
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.core.models import AuditEvent, CalendarDay
from techmarket.notifications.models import Notification
from techmarket.trading import services
from techmarket.trading.choices import ListingState, ObjectionState
from techmarket.trading.models import Listing, ListingAuthorisation, Objection, TradingPolicy
from techmarket.trading.tests.factories import listing_data, listing_in_state, published_achievement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_lost_notices(caplog: Any) -> Any:
    """A notice hook swallows its failures (after commit); here a failure fails the test."""
    caplog.set_level(logging.ERROR, logger="techmarket.notifications.services")
    yield
    assert not [r for r in caplog.records if "notice hook" in r.getMessage()]


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Any:
    """Run the after-commit hooks (notices) of what happens inside ``with commits():``."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


SECRET_DETAIL = "工艺参数：还原温度、辊压压力等（保密）。"


def client_of(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _listing(world: dict[str, Any], state: str, **overrides: Any) -> Listing:
    return listing_in_state(
        state, seller=world["seller"], achievement=world["achievement"], admin=world["admin"], **overrides
    )


@pytest.fixture
def restricted(world: dict[str, Any], reviewers: dict[str, Any]) -> Listing:
    """A listing in notice of a 受限 achievement that shows only its mode and summary to the public."""
    achievement = published_achievement(
        applicant=world["seller"],
        region=world["regions"]["county"],
        reviewers=reviewers,
        name="受限的钠电池正极材料",
        confidentiality="restricted",
    )
    return listing_in_state(
        ListingState.NOTICE,
        seller=world["seller"],
        achievement=achievement,
        admin=world["admin"],
        title="受限的钠电池正极材料挂牌",
        price="321.00",
        public_summary="一种正极材料的公开摘要",
        public_fields=["mode", "summary"],
    )


# --- the hall ---------------------------------------------------------------------------------------------


def test_the_hall_lists_public_listings_and_filters_them(world: dict[str, Any]) -> None:
    listing = _listing(world, ListingState.NOTICE, title="石墨烯导热膜挂牌", pricing="fixed", price="50")
    draft = _listing(world, ListingState.DRAFT, title="尚未提交的挂牌草稿")
    page = Client().get(reverse("trading:hall"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "石墨烯导热膜挂牌" in body
    assert draft.title not in body
    assert "公示中" in body
    found = Client().get(reverse("trading:hall"), {"q": "石墨烯", "mode": "license", "price_max": "60"})
    assert "石墨烯导热膜挂牌" in found.content.decode()
    assert (
        "石墨烯导热膜挂牌" not in Client().get(reverse("trading:hall"), {"price_min": "60"}).content.decode()
    )
    assert (
        "石墨烯导热膜挂牌" not in Client().get(reverse("trading:hall"), {"mode": "equity"}).content.decode()
    )
    region = world["regions"]["county"].code
    assert "石墨烯导热膜挂牌" in Client().get(reverse("trading:hall"), {"region": region}).content.decode()
    other = world["regions"]["other_county"].code
    assert "石墨烯导热膜挂牌" not in Client().get(reverse("trading:hall"), {"region": other}).content.decode()
    partial = Client().get(reverse("trading:hall"), {"q": "石墨烯"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert listing.pk


@pytest.mark.parametrize(
    "query",
    [{"price_min": "abc"}, {"price_min": "9", "price_max": "1"}, {"mode": "nonsense"}, {"region": "x1"}],
)
def test_bad_hall_filters_list_nothing_and_say_why(world: dict[str, Any], query: dict[str, str]) -> None:
    _listing(world, ListingState.NOTICE, title="石墨烯导热膜挂牌")
    page = Client().get(reverse("trading:hall"), query)
    assert page.status_code == 200
    body = page.content.decode()
    assert "filter-errors" in body
    assert "石墨烯导热膜挂牌" not in body


def test_hidden_fields_of_a_restricted_listing_are_neither_shown_nor_searchable(
    world: dict[str, Any], restricted: Listing
) -> None:
    outsiders = [None, world["buyer"]]
    for user in outsiders:
        client = client_of(user)
        hall = client.get(reverse("trading:hall")).content.decode()
        assert "受限的钠电池正极材料" not in hall
        assert "321" not in hall
        assert "一种正极材料的公开摘要" in hall
        # The hidden name and price do not match a search or a price filter.
        link = reverse("trading:listing_detail", args=[restricted.pk])
        assert link not in client.get(reverse("trading:hall"), {"q": "钠电池"}).content.decode()
        assert link not in client.get(reverse("trading:hall"), {"price_min": "300"}).content.decode()
        assert link in client.get(reverse("trading:hall"), {"q": "正极材料"}).content.decode()
        page = client.get(reverse("trading:listing_detail", args=[restricted.pk])).content.decode()
        assert "受限的钠电池正极材料" not in page
        assert "321" not in page
        assert SECRET_DETAIL not in page
        assert "一种正极材料的公开摘要" in page
    seller_page = client_of(world["seller"]).get(reverse("trading:listing_detail", args=[restricted.pk]))
    body = seller_page.content.decode()
    assert "受限的钠电池正极材料挂牌" in body
    assert "321" in body
    assert SECRET_DETAIL in body
    admin_page = client_of(world["admin"]).get(reverse("trading:listing_detail", args=[restricted.pk]))
    assert SECRET_DETAIL in admin_page.content.decode()
    seller_hall = client_of(world["seller"]).get(reverse("trading:hall"), {"q": "钠电池"}).content.decode()
    assert "受限的钠电池正极材料挂牌" in seller_hall


def test_a_public_listing_shows_its_fields_but_never_the_confidential_detail(world: dict[str, Any]) -> None:
    listing = _listing(world, ListingState.NOTICE, title="石墨烯导热膜挂牌")
    page = (
        client_of(world["buyer"]).get(reverse("trading:listing_detail", args=[listing.pk])).content.decode()
    )
    assert "石墨烯导热膜挂牌" in page
    assert "普通许可" in page
    assert SECRET_DETAIL not in page
    assert 'id="listing-panels"' in page


def test_drafts_are_not_found_by_outsiders(world: dict[str, Any]) -> None:
    draft = _listing(world, ListingState.DRAFT)
    for user in (None, world["buyer"]):
        assert client_of(user).get(reverse("trading:listing_detail", args=[draft.pk])).status_code == 404
    assert (
        client_of(world["seller"]).get(reverse("trading:listing_detail", args=[draft.pk])).status_code == 200
    )


# --- filing, editing, review --------------------------------------------------------------------------------


def _form(**overrides: Any) -> dict[str, Any]:
    data = listing_data(**{"title": "石墨烯导热膜挂牌", **overrides})
    data["license_term_months"] = str(data["license_term_months"])
    return data


def test_a_seller_lists_an_achievement_and_submits_it(world: dict[str, Any], commits: Any) -> None:
    client = client_of(world["seller"])
    chooser = client.get(reverse("trading:listing_create"))
    assert world["achievement"].name in chooser.content.decode()
    url = reverse("trading:listing_create") + f"?achievement={world['achievement'].pk}"
    assert client.get(url).status_code == 200
    data = {**_form(), "achievement": world["achievement"].pk, "authorisation": "", "submit_now": "1"}
    data["submission_key"] = "k-1"
    with commits():
        response = client.post(reverse("trading:listing_create"), data)
    listing = Listing.objects.get()
    assert response.status_code == 302
    assert listing.state == ListingState.SUBMITTED
    # The same form posted twice creates nothing more.
    again = client.post(reverse("trading:listing_create"), data)
    assert again.status_code == 200
    assert Listing.objects.count() == 1
    assert "未重复创建" in again.content.decode()
    # The administrators are told; the seller sees it in 我的挂牌.
    assert Notification.objects.filter(recipient=world["admin"], kind="listing.review").exists()
    assert "石墨烯导热膜挂牌" in client.get(reverse("trading:mine")).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"price": "12.345"}, "最多两位小数"),
        ({"price": "abc"}, "金额格式不正确"),
        ({"pricing": "fixed", "price": ""}, "请填写金额"),
        ({"mode": "license", "license_kind": ""}, "许可须注明"),
        ({"public_summary": ""}, "必填"),
    ],
)
def test_bad_listing_forms_show_the_error_and_create_nothing(
    world: dict[str, Any], overrides: dict[str, Any], field_error: str
) -> None:
    client = client_of(world["seller"])
    data = {**_form(**overrides), "achievement": world["achievement"].pk, "authorisation": ""}
    response = client.post(reverse("trading:listing_create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert field_error in body, re.findall(r'invalid-feedback d-block">([^<]*)<', body)
    assert not Listing.objects.exists()


def test_the_achievement_page_offers_listing_to_its_sellers_only(world: dict[str, Any]) -> None:
    url = reverse("achievements:detail", args=[world["achievement"].pk])
    target = reverse("trading:listing_create") + f"?achievement={world['achievement'].pk}"
    page = client_of(world["seller"]).get(url).content.decode()
    assert 'id="list-for-trading"' in page
    form = client_of(world["seller"]).get(target)
    assert form.status_code == 200
    assert 'id="listing-form"' in form.content.decode()
    for user in (None, world["buyer"], world["admin"]):
        assert 'id="list-for-trading"' not in client_of(user).get(url).content.decode()


def test_someone_elses_achievement_cannot_be_listed(world: dict[str, Any]) -> None:
    client = client_of(world["buyer"])
    response = client.get(reverse("trading:listing_create") + f"?achievement={world['achievement'].pk}")
    assert response.status_code == 302  # buyers may not list at all
    other = user_with_role(Role.APPLICANT, organisation=OrganisationFactory(name="别的大学"))
    response = client_of(other).post(
        reverse("trading:listing_create"), {**_form(), "achievement": world["achievement"].pk}
    )
    assert response.status_code == 200
    assert "不能由您挂牌" in response.content.decode()
    assert not Listing.objects.exists()


def test_editing_is_for_drafts_and_returned_listings(world: dict[str, Any]) -> None:
    returned = _listing(world, ListingState.RETURNED)
    client = client_of(world["seller"])
    url = reverse("trading:listing_edit", args=[returned.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**_form(title="改过的名称"), "submit_now": "1"})
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.title == "改过的名称"
    assert returned.state == ListingState.SUBMITTED
    # Submitted: no more edits, a clear message, nothing changed.
    response = client.post(url, _form(title="再改一次"), follow=True)
    assert "只有草稿或已退回的挂牌可以修改" in response.content.decode()
    returned.refresh_from_db()
    assert returned.title == "改过的名称"
    assert client_of(world["buyer"]).post(url, _form(title="外人改")).status_code == 404


def test_the_administrator_approves_or_returns_from_the_review_queue(
    world: dict[str, Any], commits: Any
) -> None:
    first = _listing(world, ListingState.SUBMITTED, title="第一个")
    second = _listing(world, ListingState.SUBMITTED, title="第二个")
    admin = client_of(world["admin"])
    queue = admin.get(reverse("trading:review_queue")).content.decode()
    assert "第一个" in queue
    assert "第二个" in queue
    with commits():
        admin.post(reverse("trading:listing_transition", args=[first.pk, "approve"]), {"next": "review"})
    # A return without a reason is refused with a message and changes nothing.
    response = admin.post(reverse("trading:listing_transition", args=[second.pk, "return"]), follow=True)
    assert "必须填写理由" in response.content.decode()
    second.refresh_from_db()
    assert second.state == ListingState.SUBMITTED
    with commits():
        admin.post(
            reverse("trading:listing_transition", args=[second.pk, "return"]), {"reason": "价格需说明"}
        )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == ListingState.NOTICE
    assert first.notice_ends_at is not None
    assert second.state == ListingState.RETURNED
    assert Notification.objects.filter(recipient=world["seller"], kind="listing.returned").exists()
    assert Notification.objects.filter(recipient=world["seller"], kind="listing.approved").exists()
    # The seller's to-do shows the returned listing with the reason.
    todo = client_of(world["seller"]).get(reverse("core:todo")).content.decode()
    assert "被退回待修改的挂牌" in todo
    assert "价格需说明" in todo
    assert client_of(world["seller"]).get(reverse("trading:review_queue")).status_code == 403


@pytest.mark.parametrize(
    ("role", "state", "name", "allowed"),
    [
        ("seller", ListingState.DRAFT, "submit", True),
        ("buyer", ListingState.DRAFT, "submit", False),
        ("seller", ListingState.SUBMITTED, "approve", False),
        ("admin", ListingState.SUBMITTED, "approve", True),
        ("seller", ListingState.NOTICE, "withdraw", True),
        ("buyer", ListingState.NOTICE, "withdraw", False),
        ("admin", ListingState.NOTICE, "suspend", True),
        ("seller", ListingState.NOTICE, "suspend", False),
        ("buyer", ListingState.OPEN, "start_negotiation", False),  # through the deals app only
        ("seller", ListingState.OPEN, "start_negotiation", False),
        ("seller", ListingState.NEGOTIATING, "resume", True),
        ("admin", ListingState.NEGOTIATING, "deal", False),  # only by accepting an offer (deals)
        ("seller", ListingState.NEGOTIATING, "deal", False),
        ("admin", ListingState.OPEN, "open", False),
        ("admin", ListingState.OPEN, "nonsense", False),
    ],
)
def test_transitions_from_the_page_by_role(
    world: dict[str, Any], role: str, state: str, name: str, allowed: bool
) -> None:
    listing = _listing(world, state)
    response = client_of(world[role]).post(
        reverse("trading:listing_transition", args=[listing.pk, name]), {"reason": "理由"}
    )
    before = listing.state
    listing.refresh_from_db()
    if not listing.state or response.status_code == 404:
        assert not allowed
        return
    assert response.status_code == 302
    assert (listing.state != before) is allowed


# --- objections -------------------------------------------------------------------------------------------


def test_objections_are_filed_in_the_notice_and_resolved_by_administrators(
    world: dict[str, Any], commits: Any
) -> None:
    listing = _listing(world, ListingState.NOTICE)
    filer = world["buyer"]
    client = client_of(filer)
    page = client.get(reverse("trading:listing_detail", args=[listing.pk])).content.decode()
    assert 'id="objection-form"' in page
    # Missing evidence: a message, nothing filed.
    response = client.post(
        reverse("trading:objection_file", args=[listing.pk]), {"reason": "权属有争议"}, follow=True
    )
    assert "异议未提交" in response.content.decode()
    assert not Objection.objects.exists()
    with commits():
        client.post(
            reverse("trading:objection_file", args=[listing.pk]),
            {"reason": "权属有争议", "evidence": "专利号 ZL2020", "submission_key": "o-1"},
        )
    objection = Objection.objects.get()
    assert Notification.objects.filter(recipient=world["seller"], kind="listing.objection").exists()
    assert Notification.objects.filter(recipient=world["admin"], kind="listing.objection").exists()
    # Visible to the filer, the seller and administrators; not to another buyer.
    from techmarket.trading.tests.factories import buyer_user

    for user, sees in ((filer, True), (world["seller"], True), (world["admin"], True), (buyer_user(), False)):
        body = client_of(user).get(reverse("trading:listing_detail", args=[listing.pk])).content.decode()
        assert ("专利号 ZL2020" in body) is sees
    # Only administrators resolve; a reason is required.
    resolve = reverse("trading:objection_resolve", args=[objection.pk, "dismiss"])
    assert client_of(world["seller"]).post(resolve, {"reason": "x"}).status_code in (302, 404)
    objection.refresh_from_db()
    assert objection.state == ObjectionState.OPEN
    response = client_of(world["admin"]).post(resolve, {"reason": ""}, follow=True)
    assert "必须填写理由" in response.content.decode()
    with commits():
        client_of(world["admin"]).post(resolve, {"reason": "证据不足"})
    objection.refresh_from_db()
    assert objection.state == ObjectionState.DISMISSED
    assert Notification.objects.filter(recipient=filer, kind="listing.objection_resolved").exists()
    body = client_of(filer).get(reverse("trading:listing_detail", args=[listing.pk])).content.decode()
    assert "证据不足" in body


def test_an_upheld_objection_suspends_the_listing(world: dict[str, Any]) -> None:
    listing = _listing(world, ListingState.NOTICE)
    objection = services.objection_file(actor=world["buyer"], listing=listing, reason="冒名", evidence="证明")
    client_of(world["admin"]).post(
        reverse("trading:objection_resolve", args=[objection.pk, "uphold"]), {"reason": "属实"}
    )
    listing.refresh_from_db()
    assert listing.state == ListingState.SUSPENDED


def test_no_objection_outside_the_notice_period(world: dict[str, Any]) -> None:
    listing = _listing(world, ListingState.OPEN)
    response = client_of(world["buyer"]).post(
        reverse("trading:objection_file", args=[listing.pk]),
        {"reason": "迟到", "evidence": "无"},
        follow=True,
    )
    assert response.status_code == 200
    assert "只能在公示期内提出异议" in response.content.decode()
    assert not Objection.objects.exists()
    assert client_of(None).post(reverse("trading:objection_file", args=[listing.pk])).status_code == 302


# --- authorisations and settings --------------------------------------------------------------------------


def test_an_org_admin_authorises_an_agency_whose_broker_then_lists(world: dict[str, Any]) -> None:
    org_admin = user_with_role(Role.ORG_ADMIN, organisation=world["university"])
    agency = OrganisationFactory(kind=OrganisationKind.AGENCY, name="某技术转移中心")
    broker = user_with_role(Role.BROKER, organisation=agency)
    client = client_of(org_admin)
    assert client.get(reverse("trading:authorisations")).status_code == 200
    ends = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = client.post(
        reverse("trading:authorisations"),
        {"achievement": world["achievement"].pk, "agency": agency.pk, "scope": "list", "ends_on": ends},
    )
    assert response.status_code == 302
    authorisation = ListingAuthorisation.objects.get()
    chooser = client_of(broker).get(reverse("trading:listing_create")).content.decode()
    assert world["achievement"].name in chooser
    data = {**_form(), "achievement": world["achievement"].pk, "authorisation": authorisation.pk}
    assert client_of(broker).post(reverse("trading:listing_create"), data).status_code == 302
    assert Listing.objects.get().authorisation == authorisation
    # A past end date is refused with a message.
    past = client.post(
        reverse("trading:authorisations"),
        {
            "achievement": world["achievement"].pk,
            "agency": agency.pk,
            "scope": "list",
            "ends_on": "2000-01-01",
        },
    )
    assert past.status_code == 200
    assert "不能早于今天" in past.content.decode()
    client.post(reverse("trading:authorisation_revoke", args=[authorisation.pk]))
    authorisation.refresh_from_db()
    assert authorisation.revoked_at is not None
    assert (
        world["achievement"].name
        not in client_of(broker).get(reverse("trading:listing_create")).content.decode()
    )
    # Only the owner's administrators see and revoke.
    assert client_of(world["seller"]).get(reverse("trading:authorisations")).status_code == 403


def test_administrators_set_notice_periods_and_the_calendar(world: dict[str, Any]) -> None:
    admin = client_of(world["admin"])
    assert admin.get(reverse("trading:settings")).status_code == 200
    county = world["regions"]["county"].code
    response = admin.post(
        reverse("trading:settings"), {"policy-region": county, "policy-notice_working_days": "7"}
    )
    assert response.status_code == 302
    assert TradingPolicy.objects.get().notice_working_days == 7
    bad = admin.post(
        reverse("trading:settings"), {"policy-region": county, "policy-notice_working_days": "0"}
    )
    assert bad.status_code == 200
    assert TradingPolicy.objects.get().notice_working_days == 7
    response = admin.post(
        reverse("trading:calendar_day_set"),
        {"day-date": "2027-02-13", "day-kind": "workday", "day-name": "春节"},
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date="2027-02-13")
    assert "春节" in admin.get(reverse("trading:settings"), {"year": "2027"}).content.decode()
    admin.post(reverse("trading:calendar_day_clear", args=[day.pk]))
    assert not CalendarDay.objects.filter(date="2027-02-13").exists()
    assert AuditEvent.objects.filter(action="core.calendarday.clear").exists()
    for user in (world["seller"], world["buyer"]):
        assert client_of(user).get(reverse("trading:settings")).status_code == 403
        assert client_of(user).post(reverse("trading:calendar_day_set"), {}).status_code == 403
