"""The journey of issue 2, as a new user takes it: register an organisation and an account, file an
achievement, submit it; the platform verifies the organisation; county and city reviewers approve it;
the public finds it in the catalogue and its search."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import make_uscc, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.models import Achievement
from techmarket.core.choices import ClassificationScheme
from techmarket.core.tests.factories import ClassificationFactory

from .signin import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "耐低温锂离子电池电解液配方"


def test_new_organisation_files_achievement_that_reviewers_publish(live_server, new_page, regions, reviewers):
    base = live_server.url
    discipline = ClassificationFactory(
        scheme=ClassificationScheme.DISCIPLINE, code="480", name="能源科学技术"
    )
    industry = ClassificationFactory(
        scheme=ClassificationScheme.INDUSTRY, code="38", name="电气机械和器材制造业"
    )
    admin = user_with_role(Role.PLATFORM_ADMIN, username="platform_admin")

    # 1. A researcher registers their university and themself.
    researcher = new_page()
    researcher.goto(base)
    researcher.click("text=单位注册")
    researcher.fill("#id_organisation_name", "江城理工大学")
    researcher.select_option("#id_organisation_kind", "university")
    researcher.fill("#id_credit_code", make_uscc(424242))
    researcher.select_option("#id_region", regions["county"].code)
    researcher.fill("#id_username", "li_lei")
    researcher.fill("#id_display_name", "李雷")
    researcher.fill("#id_email", "lilei@example.edu.cn")
    researcher.fill("#id_phone", "13912345678")
    researcher.fill("#id_password", "Jiangcheng-2026")
    researcher.fill("#id_password_again", "Jiangcheng-2026")
    researcher.click("main button[type=submit]")
    # The account opens with the link e-mailed to the address given (the page looks the same whether or not
    # the details were registered already).
    researcher.wait_for_selector("#registration-received")
    link = re.search(r"https?://[^/\s]+(/accounts/activate/\S+/)", mail.outbox[-1].body).group(1)
    researcher.goto(base + link)
    researcher.wait_for_url("**/achievements/mine/")
    assert "尚未通过平台认证" in researcher.content()

    # 2. They file the achievement as a draft.
    researcher.click("text=登记新成果")
    researcher.fill("#id_name", TITLE)
    researcher.select_option("#id_achievement_type", "applied")
    researcher.select_option("#id_discipline", label=str(discipline))
    researcher.select_option("#id_industry", label=str(industry))
    researcher.select_option("#id_region", regions["county"].code)
    researcher.fill("#id_keywords", "锂离子电池，电解液，低温")
    researcher.fill("#id_abstract", "一种在零下40摄氏度仍保持80%容量的锂离子电池电解液配方及其制备方法。")
    researcher.select_option("#id_funding_source", "non_fiscal")
    researcher.select_option("#id_evaluation_form", "none")
    researcher.fill("#id_completion_date", "2025-09-30")
    researcher.select_option("#id_attribute", "original")
    researcher.select_option("#id_stage", "middle")
    researcher.fill("#id_trl", "5")
    researcher.check("input[name=transfer_modes][value=license]")
    researcher.check("#id_price_negotiable")
    researcher.fill("#id_persons", "李雷，江城理工大学，教授，项目负责人")
    researcher.click("main button[type=submit]")
    researcher.wait_for_selector("text=已保存为草稿")
    achievement = Achievement.objects.get(name=TITLE)
    assert achievement.state == AchievementState.DRAFT
    assert (
        researcher.query_selector("button[value=submit]") is None
    )  # not before the organisation is verified

    # 3. The platform administrator verifies the new organisation.
    platform = new_page()
    log_in(platform, base, admin.username)
    platform.goto(f"{base}/accounts/organisations/pending/")
    platform.click(f"#organisation-{achievement.owner_organisation_id} >> text=认证通过")
    platform.wait_for_selector("text=已认证")

    # 4. The researcher submits it for review.
    researcher.reload()
    researcher.click("button[value=submit]")
    researcher.wait_for_selector("#state >> text=县级审核中")

    # 5. County, then city reviewer approve it from their queues.
    for level, next_state in (("county", "市级审核中"), ("city", "已发布")):
        reviewer = new_page()
        log_in(reviewer, base, reviewers[level].username)
        reviewer.goto(f"{base}/achievements/review/")
        reviewer.click(f"#review-queue >> text={TITLE}")
        reviewer.click(f"button[value={level}_approve]")
        reviewer.wait_for_selector(f"#state >> text={next_state}")
    achievement.refresh_from_db()
    assert achievement.state == AchievementState.PUBLISHED
    assert achievement.registration_number.startswith(regions["city"].code)

    # 6. A member of the public, on a phone, finds it in the catalogue and its search.
    visitor = new_page(phone=True)
    visitor.goto(f"{base}/achievements/")
    visitor.fill("input[name=q]", "电解液")
    visitor.press("input[name=q]", "Enter")
    # The search swaps #results in place (htmx) and the unfiltered list already names the record: wait
    # for the search's own results (their snippets mark the words) before clicking one.
    visitor.wait_for_selector("#results mark >> text=电解液")
    visitor.wait_for_selector(f"#results >> text={TITLE}")
    visitor.click(f"#results >> text={TITLE}")
    visitor.wait_for_selector(f"h1 >> text={TITLE}")
    assert achievement.registration_number in visitor.content()
    assert "县级审核通过" in visitor.inner_text("#timeline")
