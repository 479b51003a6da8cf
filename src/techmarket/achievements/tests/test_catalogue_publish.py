"""Issue 9 §2: an administrator publishes a quarter's catalogue from the web (preview, publish, audit)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements import catalogue
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.models import PublishedCatalogue
from techmarket.achievements.tests.factories import achievement_in_state
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import AuditEvent

pytestmark = pytest.mark.django_db
PUBLISH = reverse("achievements:catalogue_publish")


def this_quarter() -> catalogue.Quarter:
    today = timezone.localdate()
    return catalogue.Quarter(today.year, (today.month - 1) // 3 + 1)


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def people(regions, reviewers, applicant):
    return {
        "platform_admin": user_with_role(Role.PLATFORM_ADMIN, username="platform_admin"),
        "province_reviewer": reviewers["province"],
        "city_reviewer": reviewers["city"],
        "county_reviewer": reviewers["county"],
        "applicant": applicant,
        "org_admin": user_with_role(Role.ORG_ADMIN, organisation=applicant.organisation),
        "enterprise": user_with_role(
            Role.ENTERPRISE, organisation=OrganisationFactory(region=regions["county"])
        ),
        "expert": user_with_role(Role.EXPERT),
        "broker": user_with_role(Role.BROKER),
    }


@pytest.fixture
def published(regions, reviewers, applicant):
    return [
        achievement_in_state(
            AchievementState.PUBLISHED,
            applicant=applicant,
            region=regions["county"],
            reviewers=reviewers,
            name=name,
        )
        for name in ("高导热石墨烯复合薄膜的制备技术", "盐碱地水稻高产栽培技术")
    ]


PUBLISHERS = {"platform_admin", "province_reviewer"}


@pytest.mark.parametrize(
    "role",
    [
        "platform_admin",
        "province_reviewer",
        "city_reviewer",
        "county_reviewer",
        "applicant",
        "org_admin",
        "enterprise",
        "expert",
        "broker",
    ],
)
def test_only_platform_admins_and_province_reviewers_publish(
    client: Client, var_dir, people, published, role
):
    client.force_login(people[role])
    quarter = this_quarter()
    form = {"year": quarter.year, "quarter": quarter.number}

    page = client.get(PUBLISH, form)
    posted = client.post(PUBLISH, form)
    listing = client.get(reverse("achievements:catalogues")).content.decode()

    if role in PUBLISHERS:
        assert page.status_code == 200
        assert "将收录 2 项公开科技成果" in page.content.decode()
        assert posted.status_code == 302
        stored = PublishedCatalogue.objects.get(quarter=quarter.label)
        assert stored.record_count == 2
        assert stored.published_by == people[role]
        event = AuditEvent.objects.get(action="achievements.catalogue.publish")
        assert event.actor == people[role]
        assert reverse("achievements:catalogue_publish") in listing
        assert f"发布人：{people[role]}" in listing
    else:
        assert page.status_code == 403
        assert posted.status_code == 403
        assert not PublishedCatalogue.objects.exists()
        assert not AuditEvent.objects.filter(action="achievements.catalogue.publish").exists()
        assert reverse("achievements:catalogue_publish") not in listing


def test_anonymous_visitors_are_sent_to_log_in_and_see_the_public_list(
    client: Client, var_dir, people, published
):
    assert client.get(PUBLISH).status_code == 302
    assert client.post(PUBLISH, {"year": 2026, "quarter": 1}).status_code == 302
    assert not PublishedCatalogue.objects.exists()
    catalogue.publish(quarter=this_quarter().label, actor=people["platform_admin"])
    listing = client.get(reverse("achievements:catalogues")).content.decode()
    assert this_quarter().label in listing
    assert "发布人" not in listing  # who published is for the administrators (and the audit log)
    download = client.get(reverse("achievements:catalogue_download", args=[this_quarter().label, "xlsx"]))
    assert download.status_code == 200


def test_a_quarter_not_begun_is_refused_with_its_reason(client: Client, var_dir, people):
    client.force_login(people["platform_admin"])
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    if quarter < 4:  # a later quarter of this year: the form offers it, the service refuses it
        page = client.post(PUBLISH, {"year": today.year, "quarter": quarter + 1})
        assert page.status_code == 200
        assert "尚未开始，不能发布该季度的目录" in page.content.decode()
    page = client.post(PUBLISH, {"year": today.year + 1, "quarter": 1})  # a year the form does not offer
    assert page.status_code == 200
    assert not PublishedCatalogue.objects.exists()
    with pytest.raises(DomainError, match="尚未开始"):
        catalogue.preview(actor=people["platform_admin"], quarter=f"{today.year + 1}Q1")


def test_publishing_again_replaces_and_the_page_says_so_first(client: Client, var_dir, people, published):
    client.force_login(people["province_reviewer"])
    quarter = this_quarter()
    form = {"year": quarter.year, "quarter": quarter.number}
    client.post(PUBLISH, form)
    page = client.get(PUBLISH, form).content.decode()
    assert "再次发布将替换原有文件" in page
    assert "重新发布" in page
    client.post(PUBLISH, form)
    assert PublishedCatalogue.objects.count() == 1
    assert AuditEvent.objects.filter(action="achievements.catalogue.publish").count() == 2


def test_the_background_task_checks_the_permission_again(var_dir, people, published):
    """A role taken away between the request and the task: nothing is published."""
    with pytest.raises(NotPermitted):
        catalogue.publish_as(quarter=this_quarter().label, user_id=people["city_reviewer"].pk)
    assert not PublishedCatalogue.objects.exists()
    published_catalogue = catalogue.publish_as(
        quarter=this_quarter().label, user_id=people["platform_admin"].pk
    )
    assert published_catalogue.published_by == people["platform_admin"]
