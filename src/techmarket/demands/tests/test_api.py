"""The demands API: filing, transitions, masking, visibility; suggestions API for responders."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state, enterprise_user, industry
from techmarket.matching import services as matching

pytestmark = pytest.mark.django_db


def payload(region_code: str) -> dict:
    return {
        "title": "锂电池低温容量衰减",
        "problem": "我们厂的锂电池在零下20度时容量衰减严重，想找能改善低温性能的电解液或材料技术。",
        "industry": industry().code,
        "region": region_code,
        "cooperation": ["co_develop"],
        "expected_trl": 5,
        "contact_name": "王工",
        "contact_phone": "13700001111",
    }


def test_enterprise_files_submits_and_reviewer_publishes(regions, reviewers):
    api = APIClient()
    enterprise = enterprise_user(regions["county"])
    api.force_authenticate(enterprise)
    created = api.post("/api/v1/demands/", payload(regions["county"].code), format="json")
    assert created.status_code == 201, created.content
    demand_id = created.json()["id"]
    assert created.json()["contact_phone"] == "13700001111"
    assert api.post(f"/api/v1/demands/{demand_id}/transitions/submit/", {}, format="json").status_code == 200
    api.force_authenticate(reviewers["county"])
    approved = api.post(f"/api/v1/demands/{demand_id}/transitions/approve/", {}, format="json")
    assert approved.json()["state"] == DemandState.PUBLISHED
    api.force_authenticate(None)
    public = api.get(f"/api/v1/demands/{demand_id}/").json()
    assert public["contact_phone"] == "137****1111"
    assert demand_id in [item["id"] for item in api.get("/api/v1/demands/").json()["results"]]


def test_bad_input_is_refused_in_the_callers_language(regions):
    api = APIClient()
    api.force_authenticate(enterprise_user(regions["county"]))
    bad = {**payload(regions["county"].code), "budget_min": "100", "budget_max": "10", "contact_phone": "abc"}
    response = api.post("/api/v1/demands/", bad, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert set(response.json()["fields"]) >= {"budget_max", "contact_phone"}
    assert api.get("/api/v1/demands/?mine=1").json()["count"] == 0


def test_non_enterprises_cannot_file(regions, applicant):
    api = APIClient()
    api.force_authenticate(applicant)
    assert api.post("/api/v1/demands/", payload(regions["county"].code), format="json").status_code == 403


def test_restricted_demand_is_invisible_to_the_public(regions, reviewers):
    demand = demand_in_state(
        DemandState.PUBLISHED,
        enterprise=enterprise_user(regions["county"]),
        region=regions["county"],
        reviewer=reviewers["county"],
        confidentiality="restricted",
    )
    api = APIClient()
    assert api.get(f"/api/v1/demands/{demand.pk}/").status_code == 404
    assert api.get("/api/v1/demands/").json()["count"] == 0


def test_suggestions_api_for_responders_only(regions, reviewers):
    applicant = applicant_of(region=regions["county"])
    achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    enterprise = enterprise_user(regions["county"])
    demand = demand_in_state(
        DemandState.PUBLISHED, enterprise=enterprise, region=regions["county"], reviewer=reviewers["county"]
    )
    matching.suggestions_refresh(demand=demand)
    api = APIClient()
    api.force_authenticate(enterprise)
    assert api.get(f"/api/v1/suggestions/?demand={demand.pk}").status_code == 403
    api.force_authenticate(reviewers["county"])
    listed = api.get(f"/api/v1/suggestions/?demand={demand.pk}").json()
    assert listed
    assert listed[0]["reasons"]
    first = listed[0]["id"]
    refused = api.post(f"/api/v1/suggestions/{first}/reject/", {}, format="json")
    assert refused.status_code == 400
    rejected = api.post(f"/api/v1/suggestions/{first}/reject/", {"reject_reason": "too_early"}, format="json")
    assert rejected.json()["state"] == "rejected"
    api.force_authenticate(user_with_role(Role.REVIEWER, region=regions["other_city"]))
    assert api.post(f"/api/v1/suggestions/{first}/reconsider/", {}, format="json").status_code == 404
