"""Issue 9 §5: a retried API create with the same Idempotency-Key returns the first result, no duplicate."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from techmarket.achievements.models import Achievement
from techmarket.achievements.tests.test_api import payload as achievement_payload
from techmarket.core.api import idempotency
from techmarket.core.models import SubmissionKey
from techmarket.demands.models import Demand
from techmarket.demands.tests.factories import enterprise_user
from techmarket.demands.tests.test_api import payload as demand_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def achievements_api(applicant, codes):
    api = APIClient()
    api.force_authenticate(applicant)
    return api


@pytest.fixture
def codes(db):
    from techmarket.core.choices import ClassificationScheme
    from techmarket.core.tests.factories import ClassificationFactory

    ClassificationFactory(scheme=ClassificationScheme.DISCIPLINE, code="430", name="材料科学")
    ClassificationFactory(scheme=ClassificationScheme.INDUSTRY, code="C39", name="电子设备制造业")


def create(api, url, data, key=None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return api.post(url, data, format="json", headers=headers)


def test_a_retried_achievement_create_returns_the_first_draft(achievements_api, regions):
    first = create(achievements_api, "/api/v1/achievements/", achievement_payload(), key="retry-1")
    assert first.status_code == 201, first.content
    retry = create(achievements_api, "/api/v1/achievements/", achievement_payload(), key="retry-1")
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Achievement.objects.count() == 1
    # A new key, or no key at all, creates a new draft.
    assert (
        create(achievements_api, "/api/v1/achievements/", achievement_payload(), key="retry-2").json()["id"]
        != first.json()["id"]
    )
    create(achievements_api, "/api/v1/achievements/", achievement_payload())
    assert Achievement.objects.count() == 3


def test_a_retried_demand_create_returns_the_first_demand(regions):
    api = APIClient()
    enterprise = enterprise_user(regions["county"])
    api.force_authenticate(enterprise)
    data = demand_payload(regions["county"].code)
    first = create(api, "/api/v1/demands/", data, key="5f0c9a52-demand")
    retry = create(api, "/api/v1/demands/", {**data, "title": "改过的标题"}, key="5f0c9a52-demand")
    assert first.status_code == retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert retry.json()["title"] == data["title"]  # the first result, whatever the retry's body
    assert Demand.objects.count() == 1
    # Keys are the caller's own: another enterprise's identical key creates its own demand.
    other = APIClient()
    other.force_authenticate(enterprise_user(regions["county"]))
    assert create(other, "/api/v1/demands/", data, key="5f0c9a52-demand").json()["id"] != first.json()["id"]
    assert Demand.objects.count() == 2


def test_a_retry_while_the_first_is_still_running_answers_409(regions):
    api = APIClient()
    enterprise = enterprise_user(regions["county"])
    api.force_authenticate(enterprise)
    # The first request claimed the key and has not committed yet.
    digest_request = type("R", (), {"headers": {"Idempotency-Key": "busy"}, "user": enterprise})()
    SubmissionKey.objects.create(key=idempotency.key_of(digest_request, "demands.demand.create"))
    response = create(api, "/api/v1/demands/", demand_payload(regions["county"].code), key="busy")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"
    assert Demand.objects.count() == 0


def test_a_failed_create_frees_its_key(achievements_api, regions):
    bad = create(achievements_api, "/api/v1/achievements/", achievement_payload(trl=99), key="fix-and-retry")
    assert bad.status_code == 400
    good = create(achievements_api, "/api/v1/achievements/", achievement_payload(), key="fix-and-retry")
    assert good.status_code == 201
    assert not good.has_header("Idempotent-Replayed")


def test_an_unusable_key_is_refused(achievements_api, regions):
    response = create(achievements_api, "/api/v1/achievements/", achievement_payload(), key="x" * 256)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert Achievement.objects.count() == 0
