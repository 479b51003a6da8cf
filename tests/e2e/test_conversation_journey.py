"""Issue 9 §1, conversations: an enterprise files a demand; the reviewer publishes it; a broker confirms
the matched achievement and pushes it to its owner; the owner's filer finds the invitation in 我的待办,
answers and writes in the conversation; the enterprise sees the unread count and replies."""

from __future__ import annotations

import os

import pytest

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.conversations.models import Message, Thread
from techmarket.demands.choices import DemandState
from techmarket.demands.models import Demand
from techmarket.demands.tests.factories import industry
from techmarket.matching.choices import SuggestionState, TargetKind
from techmarket.matching.models import Suggestion

from .test_registration_journey import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "新能源汽车电池包高导热界面材料"
ACHIEVEMENT = "高导热石墨烯界面材料的制备技术"
# Set TECHMARKET_E2E_SHOTS to a directory to keep screenshots of the journey's pages.
SHOTS = os.environ.get("TECHMARKET_E2E_SHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def open_menu(page) -> None:
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()


def test_a_pushed_owner_answers_in_a_conversation_with_the_enterprise(
    live_server, new_page, regions, reviewers
):
    base = live_server.url
    sector = industry()
    university = OrganisationFactory(region=regions["county"], name="江城理工大学")
    filer = user_with_role(
        Role.APPLICANT, organisation=university, username="filer_zhao", display_name="赵老师"
    )
    achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=filer,
        region=regions["county"],
        reviewers=reviewers,
        name=ACHIEVEMENT,
        keywords="石墨烯，导热界面材料，电池包散热",
    )
    company = OrganisationFactory(
        region=regions["county"], kind=OrganisationKind.ENTERPRISE, name="江城新能源汽车"
    )
    user_with_role(Role.ENTERPRISE, organisation=company, username="ent_wu", display_name="吴经理")
    agency = OrganisationFactory(
        region=regions["city"], kind=OrganisationKind.AGENCY, name="江城技术转移中心"
    )
    user_with_role(Role.BROKER, organisation=agency, username="broker_sun", display_name="孙经纪")

    # 1. The enterprise files its demand.
    enterprise = new_page()
    log_in(enterprise, base, "ent_wu")
    enterprise.goto(f"{base}/demands/new/")
    enterprise.fill("#id_title", TITLE)
    enterprise.fill(
        "#id_problem", "电池包模组温差过大，需要导热系数高、可批量涂覆的石墨烯导热界面材料，降低电芯温差。"
    )
    enterprise.fill("#id_keywords", "石墨烯，导热界面材料，电池包散热")
    enterprise.select_option("#id_industry", label=str(sector))
    enterprise.select_option("#id_region", regions["county"].code)
    enterprise.fill("#id_contact_phone", "13912345678")
    enterprise.click("button[name=submit_now]")
    enterprise.wait_for_selector("text=需求已提交审核")
    demand = Demand.objects.get(title=TITLE)

    # 2. The county reviewer publishes it.
    reviewer = new_page()
    log_in(reviewer, base, "county_reviewer")
    reviewer.goto(f"{base}/demands/{demand.pk}/")
    reviewer.click("button:has-text('审核通过')")
    reviewer.wait_for_selector("text=操作成功")
    demand.refresh_from_db()
    assert demand.state == DemandState.PUBLISHED

    # 3. A broker confirms the matched achievement and pushes it to its owner.
    broker = new_page()
    log_in(broker, base, "broker_sun")
    broker.goto(f"{base}/demands/{demand.pk}/")
    broker.wait_for_selector("#matches .suggestion")
    match = Suggestion.objects.get(demand=demand, kind=TargetKind.ACHIEVEMENT, achievement__name=ACHIEVEMENT)
    broker.click(f"#suggestion-{match.pk} button:has-text('确认')")
    broker.wait_for_selector(f"#suggestion-{match.pk}[data-state=confirmed]")
    broker.click("#push-response")
    broker.wait_for_selector("text=已推送对接响应")
    assert Suggestion.objects.get(pk=match.pk).state == SuggestionState.PUSHED

    # 4. The owner's filer finds the invitation in 我的待办 and answers: interested.
    owner = new_page(phone=True)
    log_in(owner, base, "filer_zhao")
    owner.goto(f"{base}/todo/")
    owner.wait_for_selector("text=待答复的对接邀请")
    assert TITLE in owner.content()
    shot(owner, "1-owner-todo")
    open_menu(owner)
    owner.click("#nav-work")  # the workspace menu
    owner.click("nav >> text=对接邀请")
    owner.wait_for_selector(f"text={TITLE}")
    owner.click("button:has-text('有意向')")
    owner.wait_for_selector("#message-form")
    thread = Thread.objects.get(subject_id=demand.pk)
    assert owner.url.endswith(f"/conversations/{thread.pk}/")

    # ... and writes in the conversation.
    owner.fill("#id_body", "您好，我们的石墨烯界面材料导热系数可达 12 W/mK，可提供样品测试。")
    owner.click("#send-message")
    owner.wait_for_selector("text=消息已发送")
    owner.wait_for_selector("#messages >> text=可提供样品测试")
    shot(owner, "2-owner-thread")

    # 5. The enterprise sees the unread count, reads and replies.
    enterprise.goto(base)
    enterprise.wait_for_selector("#conversations-unread >> text=1")
    enterprise.goto(f"{base}/todo/")
    enterprise.wait_for_selector("text=有未读消息的对接对话")
    shot(enterprise, "3-enterprise-todo")
    enterprise.click(f"main a[href='/conversations/{thread.pk}/']")
    enterprise.wait_for_selector("#messages >> text=可提供样品测试")
    enterprise.fill("#id_body", "很好，请寄两份样品，我们安排台架测试。")
    enterprise.click("#send-message")
    enterprise.wait_for_selector("text=消息已发送")
    shot(enterprise, "4-enterprise-thread")
    assert list(Message.objects.filter(thread=thread).values_list("author__username", flat=True)) == [
        "filer_zhao",
        "ent_wu",
    ]

    # 6. The owner now has the unread reply; other people do not see the thread.
    owner.goto(f"{base}/conversations/")
    owner.wait_for_selector(f"#thread-{thread.pk} .unread")
    reviewer.goto(f"{base}/conversations/{thread.pk}/")
    assert "404" in reviewer.title() or "不存在" in reviewer.content()
