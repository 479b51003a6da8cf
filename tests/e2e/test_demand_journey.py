"""The journey of issue 3, as its users take it: an enterprise files a demand on a phone; a reviewer
approves it, reads the explained matches, rejects one with a reason and confirms the rest, and pushes
the response; the enterprise and an expert are notified; the expert answers; the dashboard shows the
response time."""

from __future__ import annotations

import pytest

from techmarket.accounts.choices import OrganisationKind, Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of
from techmarket.demands.choices import DemandState
from techmarket.demands.models import Demand
from techmarket.demands.tests.factories import industry
from techmarket.docking.models import ResponseClock
from techmarket.experts import services as experts
from techmarket.matching.choices import SuggestionState
from techmarket.matching.models import Suggestion
from techmarket.notifications.models import Notification

from .signin import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "手机主板散热用高导热薄膜"


def test_demand_filed_on_a_phone_is_matched_confirmed_pushed_and_answered(
    live_server, new_page, regions, reviewers
):
    base = live_server.url
    sector = industry()
    applicant = applicant_of(region=regions["county"])
    for name in ("高导热石墨烯复合薄膜的制备技术", "石墨烯导热膜卷对卷连续生产工艺", "水稻抗倒伏栽培技术"):
        achievement_in_state(
            AchievementState.PUBLISHED,
            applicant=applicant,
            region=regions["county"],
            reviewers=reviewers,
            name=name,
        )
    admin = user_with_role(Role.PLATFORM_ADMIN, username="platform_admin")
    expert_user = user_with_role(Role.EXPERT, username="expert_wang", display_name="王教授")
    experts.expert_create(
        admin,
        user=expert_user,
        name="王教授",
        organisation_name="江城理工大学",
        region=regions["city"],
        research_fields="石墨烯导热材料、电子散热",
        research_keywords="石墨烯，导热膜，散热",
        bio="长期从事高导热石墨烯薄膜与电子器件散热研究。",
    )
    company = OrganisationFactory(
        region=regions["county"], kind=OrganisationKind.ENTERPRISE, name="光谷手机有限公司"
    )
    user_with_role(Role.ENTERPRISE, organisation=company, username="ent_li", display_name="李经理")

    # 1. The enterprise files its need on a phone, helped by the completeness meter.
    phone = new_page(phone=True)
    log_in(phone, base, "ent_li")
    phone.goto(f"{base}/demands/")
    phone.click("text=发布技术需求")
    phone.fill("#id_title", TITLE)
    phone.fill(
        "#id_problem",
        "新机型功耗上升，主板温升过高。需要面内导热系数高于1200W/mK、厚度不超过50μm的石墨烯导热膜，能批量生产。",
    )
    phone.wait_for_selector("#demand-quality .progress")
    phone.fill("#id_targets", "导热系数≥1200W/mK；厚度≤50μm")
    phone.fill("#id_keywords", "导热膜，石墨烯，散热")
    phone.select_option("#id_industry", label=str(sector))
    phone.select_option("#id_region", regions["county"].code)
    phone.check("input[name=cooperation][value=license]")
    phone.fill("#id_expected_trl", "6")
    phone.fill("#id_budget_max", "150")
    phone.fill("#id_contact_phone", "13912345678")
    phone.click("button[name=submit_now]")
    phone.wait_for_selector("text=需求已提交审核")
    demand = Demand.objects.get(title=TITLE)
    assert demand.state == DemandState.SUBMITTED

    # 2. The county reviewer approves it: published, the clock runs, explained matches appear.
    reviewer = new_page()
    log_in(reviewer, base, "county_reviewer")
    reviewer.goto(f"{base}/demands/review/")
    reviewer.click(f"text={TITLE}")
    reviewer.click("button:has-text('审核通过')")
    reviewer.wait_for_selector("text=操作成功")
    demand.refresh_from_db()
    assert demand.state == DemandState.PUBLISHED
    assert ResponseClock.objects.filter(demand=demand).exists()
    reviewer.reload()
    reviewer.wait_for_selector("#matches .suggestion")
    panel = reviewer.inner_text("#matches")
    assert "高导热石墨烯复合薄膜的制备技术" in panel
    assert "王教授" in panel
    assert "行业" in panel  # field-fit reasons next to the matched terms

    # 3. Reject one with a structured reason, confirm the rest, push.
    proposed = Suggestion.objects.filter(demand=demand, state=SuggestionState.PROPOSED).order_by(
        "kind", "rank"
    )
    to_reject = proposed.filter(achievement__isnull=False).order_by("-rank").first()
    reviewer.select_option(f"#suggestion-{to_reject.pk} select[name=reject_reason]", "not_relevant")
    reviewer.click(f"#suggestion-{to_reject.pk} button:has-text('驳回')")
    reviewer.wait_for_selector(f"#suggestion-{to_reject.pk}[data-state=rejected]")
    while reviewer.query_selector(".suggestion[data-state=proposed] button:has-text('确认')"):
        reviewer.click(".suggestion[data-state=proposed] button:has-text('确认')")
        reviewer.wait_for_load_state()
    reviewer.click("#push-response")
    reviewer.wait_for_selector("text=已推送对接响应")
    assert Suggestion.objects.get(pk=to_reject.pk).reject_reason == "not_relevant"
    assert Suggestion.objects.filter(demand=demand, state=SuggestionState.PUSHED).count() >= 2
    demand.refresh_from_db()
    assert demand.state == DemandState.DOCKING

    # 4. The enterprise is notified and reads the response on its demand.
    assert Notification.objects.filter(recipient__username="ent_li").exists()
    phone.goto(f"{base}/demands/{demand.pk}/")
    response = phone.inner_text("#response")
    assert "高导热石墨烯复合薄膜的制备技术" in response

    # 5. The expert is notified and answers from the inbox.
    assert Notification.objects.filter(recipient=expert_user).exists()
    expert = new_page(phone=True)
    log_in(expert, base, "expert_wang")
    expert.goto(f"{base}/docking/inbox/")
    assert TITLE in expert.content()
    expert.click("button:has-text('有意向')")
    expert.wait_for_load_state()
    assert Notification.objects.filter(recipient__username="ent_li").count() >= 2

    # 6. The dashboard shows the response time.
    reviewer.goto(f"{base}/docking/dashboard/")
    assert reviewer.inner_text("#overall-median") != "—"
    assert "%" in reviewer.inner_text("#overall-within")
