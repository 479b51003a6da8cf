"""The home page, served by the portal in the site's ``core`` URL namespace."""

import pytest
from django.urls import reverse

from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state


@pytest.fixture
def published(regions, reviewers, applicant):
    return achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )


def test_home_keeps_its_address_and_shows_the_newest_records_and_counts(client, published):
    assert reverse("core:home") == "/"
    response = client.get("/")
    assert response.status_code == 200
    assert "portal/home.html" in [template.name for template in response.templates]
    assert published.name in response.content.decode()
    assert response.context["counts"]["achievements"] == 1
    assert not response.context["principal"].is_authenticated


def test_the_health_check_stays_beside_it(client, db):
    assert reverse("core:healthz") == "/healthz"
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_home_answers_only_get(client, db):
    assert client.post("/").status_code == 405
