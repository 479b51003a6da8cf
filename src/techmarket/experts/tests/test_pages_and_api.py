"""Expert pages and the read-only API, per role: search, detail, create, edit, me, (de)activate."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.core.models import AuditEvent
from techmarket.experts import services
from techmarket.experts.models import ExpertProfile
from techmarket.experts.tests.factories import expert, platform_admin

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(region, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": "陈静",
        "title": "研究员",
        "organisation_name": "",
        "region": region.code,
        "research_fields": "农业微生物",
        "research_keywords": "生物肥料、土壤修复",
        "bio": "",
        "phone": "13700001111",
        "email": "chen@example.org",
        "accepts_push": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def leak(regions, reviewers, applicant, organisation):
    restricted = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name="不可外泄的受限成果",
        confidentiality="restricted",
    )
    org_admin = user_with_role(Role.ORG_ADMIN, organisation=organisation)
    profile = expert(regions["county"], actor=org_admin, name="赵磊")
    services.expert_link_achievements(org_admin, profile, [restricted.pk])
    return profile, restricted


def test_list_and_detail_for_anonymous_visitors_mask_contacts(client, regions):
    profile = expert(regions["county"], is_commissioner=True)
    listing = client.get(reverse("experts:list"), {"q": "石墨烯", "commissioner": "on"}).content.decode()
    assert profile.name in listing
    assert (
        client.get(reverse("experts:list"), {"q": "不存在的方向"}).content.decode().count(profile.name) == 0
    )
    body = client.get(reverse("experts:detail", args=[profile.pk])).content.decode()
    assert "139****5678" in body
    assert "13912345678" not in body
    assert "liming@example.org" not in body
    assert client.get(reverse("experts:list"), {"region": "nonsense"}).status_code == 200


def test_restricted_linked_achievement_never_shows_to_others(client, leak, applicant):
    profile, restricted = leak
    url = reverse("experts:detail", args=[profile.pk])
    for viewer in (
        None,
        platform_admin(),
        user_with_role(Role.ENTERPRISE, organisation=OrganisationFactory()),
    ):
        page = (logged_in(viewer) if viewer else client).get(url).content.decode()
        assert restricted.name not in page
        data = (logged_in(viewer) if viewer else client).get(f"/api/v1/experts/{profile.pk}/").json()
        assert data["achievements"] == []
        listing = (logged_in(viewer) if viewer else client).get("/api/v1/experts/").content.decode()
        assert restricted.name not in listing
    assert restricted.name in logged_in(applicant).get(url).content.decode()


def test_anonymous_visitors_are_sent_to_login_for_forms(client, regions):
    profile = expert(regions["county"])
    for url in (
        reverse("experts:create"),
        reverse("experts:me"),
        reverse("experts:edit", args=[profile.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
    assert client.post(reverse("experts:set_active", args=[profile.pk])).status_code == 302
    assert ExpertProfile.objects.get(pk=profile.pk).is_active


def test_platform_admin_creates_with_designation_through_the_page(regions):
    admin = platform_admin()
    response = logged_in(admin).post(
        reverse("experts:create"), form_data(regions["county"], is_commissioner="on")
    )
    profile = ExpertProfile.objects.get(name="陈静")
    assert response["Location"] == reverse("experts:detail", args=[profile.pk])
    assert profile.is_commissioner


def test_org_admin_creates_colleague_without_designation_fields(regions, organisation):
    org_admin = user_with_role(Role.ORG_ADMIN, organisation=organisation)
    client = logged_in(org_admin)
    page = client.get(reverse("experts:create")).content.decode()
    assert 'name="is_commissioner"' not in page
    client.post(reverse("experts:create"), form_data(regions["county"], is_commissioner="on"))
    profile = ExpertProfile.objects.get(name="陈静")
    assert profile.organisation == organisation
    assert not profile.is_commissioner


def test_form_errors_are_shown_not_raised(regions):
    response = logged_in(platform_admin()).post(
        reverse("experts:create"), form_data(regions["county"], research_keywords="、".join("abcdefghijkl"))
    )
    assert response.status_code == 200
    assert "研究方向关键词最多10个" in response.content.decode()
    assert not ExpertProfile.objects.exists()


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.ENTERPRISE, Role.EXPERT, Role.BROKER])
def test_other_roles_cannot_create_or_edit(regions, organisation, role):
    user = user_with_role(role, organisation=organisation)
    profile = expert(regions["county"])
    client = logged_in(user)
    assert client.get(reverse("experts:create"))["Location"] == reverse("experts:list")
    client.post(reverse("experts:create"), form_data(regions["county"]))
    response = client.post(
        reverse("experts:edit", args=[profile.pk]), form_data(regions["county"], name="改名")
    )
    assert response["Location"] == reverse("experts:detail", args=[profile.pk])
    assert list(ExpertProfile.objects.values_list("name", flat=True)) == ["李明"]


def test_expert_edits_own_profile(regions):
    owner = user_with_role(Role.EXPERT)
    profile = expert(regions["county"], user=owner)
    page = logged_in(owner).get(reverse("experts:edit", args=[profile.pk])).content.decode()
    assert 'value="功能材料与器件"' not in page  # a textarea, prefilled below
    assert "功能材料与器件</textarea>" in page
    assert 'name="is_commissioner"' not in page
    response = logged_in(owner).post(
        reverse("experts:edit", args=[profile.pk]), form_data(regions["county"], name="李明", title="院士")
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.title == "院士"
    assert AuditEvent.objects.filter(
        action="experts.expertprofile.update", target_id=str(profile.pk)
    ).exists()


def test_me_creates_then_shows_the_own_profile(regions, organisation):
    user = user_with_role(Role.EXPERT, organisation=organisation, display_name="周敏")
    client = logged_in(user)
    page = client.get(reverse("experts:me"))
    assert page.status_code == 200
    assert "周敏" in page.content.decode()
    client.post(reverse("experts:me"), form_data(regions["county"], name="周敏"))
    profile = ExpertProfile.objects.get(user=user)
    assert profile.organisation == organisation
    assert client.get(reverse("experts:me"))["Location"] == reverse("experts:detail", args=[profile.pk])
    applicant = user_with_role(Role.APPLICANT, organisation=organisation)
    assert logged_in(applicant).get(reverse("experts:me"))["Location"] == reverse("experts:list")


def test_only_platform_admins_deactivate_and_inactive_profiles_vanish(client, regions):
    owner = user_with_role(Role.EXPERT)
    profile = expert(regions["county"], user=owner)
    url = reverse("experts:set_active", args=[profile.pk])
    logged_in(owner).post(url, {"active": "0"})
    assert ExpertProfile.objects.get(pk=profile.pk).is_active
    logged_in(platform_admin()).post(url, {"active": "0", "reason": "长期联系不上"})
    assert not ExpertProfile.objects.get(pk=profile.pk).is_active
    assert client.get(reverse("experts:detail", args=[profile.pk])).status_code == 404
    assert client.get(f"/api/v1/experts/{profile.pk}/").status_code == 404
    assert logged_in(owner).get(reverse("experts:detail", args=[profile.pk])).status_code == 200


def test_api_lists_with_masked_contacts_and_filters(client, regions, reviewers):
    profile = expert(regions["county"], is_commissioner=True)
    expert(regions["other_county"], name="王芳", research_keywords="储能")
    data = client.get("/api/v1/experts/").json()
    assert data["count"] == 2
    item = client.get(f"/api/v1/experts/{profile.pk}/").json()
    assert item["phone"] == "139****5678"
    assert item["email"] == "l***@example.org"
    assert item["research_keywords"] == ["石墨烯", "导热膜", "复合材料"]
    assert item["region"] == {"code": regions["county"].code, "name": regions["county"].name}
    clear = logged_in(reviewers["city"]).get(f"/api/v1/experts/{profile.pk}/").json()
    assert clear["phone"] == "13912345678"
    assert [e["name"] for e in client.get("/api/v1/experts/", {"search": "储能"}).json()["results"]] == [
        "王芳"
    ]
    assert [e["id"] for e in client.get("/api/v1/experts/", {"commissioner": "1"}).json()["results"]] == [
        profile.pk
    ]
    assert client.get("/api/v1/experts/", {"region": regions["city"].code}).json()["count"] == 1
    assert client.get("/api/v1/experts/999999/").json()["code"] == "not_found"


def test_api_is_read_only(client, regions):
    profile = expert(regions["county"])
    admin_client = logged_in(platform_admin())
    assert admin_client.post("/api/v1/experts/", {"name": "x"}).status_code == 405
    assert admin_client.patch(f"/api/v1/experts/{profile.pk}/", {"name": "x"}).status_code == 405
