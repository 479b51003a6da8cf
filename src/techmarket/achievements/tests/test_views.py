"""Pages of the registry, as each kind of user sees them."""

import pytest
from django.urls import reverse

from techmarket.achievements import services
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.models import Achievement
from techmarket.achievements.tests.factories import achievement_data, achievement_in_state, filing_post
from techmarket.core.models import AuditEvent


@pytest.fixture
def published(regions, reviewers, applicant):
    return achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )


def test_public_pages_render_for_anonymous_visitors(client, published):
    for url in [
        reverse("core:home"),
        reverse("achievements:catalogue"),
        reverse("achievements:detail", args=[published.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert published.name in response.content.decode()


def test_catalogue_search_finds_two_character_words_and_htmx_returns_partial(client, published):
    response = client.get(reverse("achievements:catalogue"), {"q": "导热"})
    assert published.name in response.content.decode()
    partial = client.get(reverse("achievements:catalogue"), {"q": "导热"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert published.name in body
    assert "<html" not in body


def test_invalid_filters_are_reported_not_crashing(client, published):
    response = client.get(reverse("achievements:catalogue"), {"trl_min": "abc", "region": "x" * 500})
    assert response.status_code == 200
    assert "部分筛选条件无效" in response.content.decode()


def test_applicant_files_a_draft_through_the_form(client, applicant, regions):
    client.force_login(applicant)
    data = achievement_data(
        regions["county"],
        transfer_modes=["license"],
        organisations=["测试大学", "合作研究院"],
        persons=[
            {"name": "张三", "organisation_name": "测试大学", "title": "教授", "role": "leader"},
            {"name": "李四", "organisation_name": "测试大学", "title": "副教授", "role": "main"},
        ],
    )
    response = client.post(reverse("achievements:create"), filing_post(data))
    achievement = Achievement.objects.get(name=data["name"])
    assert response.status_code == 302
    assert achievement.state == AchievementState.DRAFT
    assert [p.name for p in achievement.completing_persons.all()] == ["张三", "李四"]
    assert [o.name for o in achievement.completing_organisations.all()] == ["测试大学", "合作研究院"]
    assert achievement.ip_rights.get().ip_type == "invention"


def test_secret_record_is_refused_with_offline_channel_and_nothing_stored(client, applicant, regions):
    client.force_login(applicant)
    data = achievement_data(regions["county"])
    form = filing_post({**data, "name": "涉密成果", "confidentiality": "secret"})
    events_before = AuditEvent.objects.count()
    response = client.post(reverse("achievements:create"), form)
    assert response.status_code == 200
    assert "离线渠道" in response.content.decode()
    assert not Achievement.objects.filter(name="涉密成果").exists()
    assert AuditEvent.objects.count() == events_before


def test_reviewers_work_through_the_queue_page(client, regions, reviewers, applicant):
    achievement = achievement_in_state(
        AchievementState.COUNTY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    client.force_login(reviewers["county"])
    queue = client.get(reverse("achievements:review_queue"))
    assert achievement.name in queue.content.decode()
    client.post(reverse("achievements:transition", args=[achievement.pk, "county_approve"]))
    achievement.refresh_from_db()
    assert achievement.state == AchievementState.CITY_REVIEW
    client.force_login(reviewers["city"])
    client.post(reverse("achievements:transition", args=[achievement.pk, "return"]), {"reason": ""})
    achievement.refresh_from_db()
    assert achievement.state == AchievementState.CITY_REVIEW
    client.post(reverse("achievements:transition", args=[achievement.pk, "return"]), {"reason": "补充指标"})
    achievement.refresh_from_db()
    assert achievement.state == AchievementState.RETURNED
    detail = client.get(reverse("achievements:detail", args=[achievement.pk])).content.decode()
    assert "补充指标" in detail
    assert "退回修改" in detail


def test_reviewer_of_another_city_gets_404_and_no_queue_entry(client, regions, reviewers, applicant):
    achievement = achievement_in_state(
        AchievementState.CITY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    client.force_login(reviewers["other_city"])
    assert client.get(reverse("achievements:detail", args=[achievement.pk])).status_code == 404
    assert achievement.name not in client.get(reverse("achievements:review_queue")).content.decode()


def test_unknown_page_is_404_page(client, db):
    assert client.get("/achievements/999999/").status_code == 404


def test_edit_form_is_prefilled_and_saves_changes(client, applicant, regions, reviewers):
    achievement = achievement_in_state(
        AchievementState.RETURNED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    client.force_login(applicant)
    page = client.get(reverse("achievements:edit", args=[achievement.pk])).content.decode()
    assert achievement.name in page
    assert 'value="张三"' in page
    assert 'value="ZL202310000001.X"' in page
    assert f'<option value="{achievement.region_id}" selected>' in page  # the picker shows the region
    form = filing_post(
        achievement_data(
            regions["county"],
            name="改进后的石墨烯导热膜",
            discipline=achievement.discipline,
            industry=achievement.industry,
            reference_price="150",
        ),
        stored={"organisations": 2, "persons": 1, "ip_rights": 1},
    )
    response = client.post(reverse("achievements:edit", args=[achievement.pk]), form)
    assert response.status_code == 302
    achievement.refresh_from_db()
    assert achievement.name == "改进后的石墨烯导热膜"
    assert str(achievement.reference_price) == "150.00"
    assert achievement.state == AchievementState.RETURNED


def test_public_timeline_shows_steps_but_not_who_or_why(client, regions, reviewers, applicant):
    achievement = achievement_in_state(
        AchievementState.RETURNED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    services.achievement_submit(actor=applicant, achievement=achievement)
    for level in ("county", "city"):
        achievement = services.achievement_approve(
            actor=reviewers[level], achievement=Achievement.objects.get(pk=achievement.pk)
        )
    public = client.get(reverse("achievements:detail", args=[achievement.pk])).content.decode()
    assert "市级审核通过" in public
    assert "请补充技术指标" not in public
    assert str(reviewers["city"]) not in public
    client.force_login(applicant)
    own = client.get(reverse("achievements:detail", args=[achievement.pk])).content.decode()
    assert "请补充技术指标" in own
    assert str(reviewers["city"]) in own


def test_api_timeline_redacts_people_and_reasons_for_outsiders(client, regions, reviewers, applicant):
    achievement = achievement_in_state(
        AchievementState.RETURNED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    services.achievement_submit(actor=applicant, achievement=achievement)
    for level in ("county", "city"):
        services.achievement_approve(
            actor=reviewers[level], achievement=Achievement.objects.get(pk=achievement.pk)
        )
    url = f"/api/v1/achievements/{achievement.pk}/timeline/"
    public = client.get(url).json()
    assert [event["action"].rsplit(".", 1)[-1] for event in public][-2:] == ["county_approve", "city_approve"]
    assert {event["actor"] for event in public} == {None}
    assert {event["reason"] for event in public} == {""}
    client.force_login(reviewers["city"])
    inside = client.get(url).json()
    assert "请补充技术指标" in {event["reason"] for event in inside}
    assert str(reviewers["city"]) in {event["actor"] for event in inside}
