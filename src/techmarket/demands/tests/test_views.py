"""Demand pages per role: filing, drafts, the quality helper, masking, review and the match panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of
from techmarket.demands.choices import DemandState
from techmarket.demands.models import Demand
from techmarket.demands.tests.factories import demand_data, demand_in_state, enterprise_user

pytestmark = pytest.mark.django_db


def form_post(data: dict) -> dict:
    post = {key: value for key, value in data.items() if value is not None}
    post["industry"] = data["industry"].pk
    post["region"] = data["region"].pk
    return post


def test_enterprise_files_and_submits_a_demand(client, regions):
    enterprise = enterprise_user(regions["county"])
    client.force_login(enterprise)
    page = client.get(reverse("demands:create"))
    assert page.status_code == 200
    assert "demand-quality" in page.content.decode()
    response = client.post(
        reverse("demands:create"), {**form_post(demand_data(regions["county"])), "submit_now": "1"}
    )
    demand = Demand.objects.get()
    assert response.status_code == 302
    assert demand.state == DemandState.SUBMITTED
    assert demand.cooperation == ",license,co_develop,"


def test_a_draft_is_kept_and_errors_change_nothing(client, regions):
    enterprise = enterprise_user(regions["county"])
    client.force_login(enterprise)
    client.post(reverse("demands:create"), form_post(demand_data(regions["county"])))
    assert Demand.objects.get().state == DemandState.DRAFT
    bad = form_post(demand_data(regions["county"], budget_min="200", budget_max="100"))
    response = client.post(reverse("demands:create"), bad)
    assert response.status_code == 200
    assert "预算上限不能低于下限" in response.content.decode()
    assert Demand.objects.count() == 1


def test_quality_helper_names_what_is_missing(client):
    thin = client.post(reverse("demands:quality"), {"problem": "散热"}).content.decode()
    full = client.post(
        reverse("demands:quality"),
        {
            "problem": "需要" * 40,
            "targets": "x",
            "keywords": "a",
            "background": "b",
            "industry": "1",
            "expected_trl": "5",
            "budget_max": "10",
            "cooperation": ["license"],
            "discipline": "2",
        },
    ).content.decode()
    assert "技术问题描述偏短" in thin
    assert "100%" in full


def test_only_enterprises_file_demands(client, regions, applicant):
    client.force_login(applicant)
    client.get(reverse("demands:create"))
    client.post(reverse("demands:create"), form_post(demand_data(regions["county"])))
    assert not Demand.objects.exists()


def test_contact_is_masked_for_the_public_and_shown_to_reviewers(client, regions, reviewers):
    enterprise = enterprise_user(regions["county"])
    demand = demand_in_state(
        DemandState.PUBLISHED, enterprise=enterprise, region=regions["county"], reviewer=reviewers["county"]
    )
    public = client.get(reverse("demands:detail", args=[demand.pk])).content.decode()
    assert "13912345678" not in public
    assert "139****5678" in public
    client.force_login(reviewers["city"])
    assert "13912345678" in client.get(reverse("demands:detail", args=[demand.pk])).content.decode()


def test_restricted_demand_is_hidden_outside_its_circle(client, regions, reviewers):
    enterprise = enterprise_user(regions["county"])
    demand = demand_in_state(
        DemandState.PUBLISHED,
        enterprise=enterprise,
        region=regions["county"],
        reviewer=reviewers["county"],
        confidentiality="restricted",
        title="保密的需求名称",
    )
    assert client.get(reverse("demands:detail", args=[demand.pk])).status_code == 404
    assert "保密的需求名称" not in client.get(reverse("demands:hall")).content.decode()
    client.force_login(reviewers["other_city"])
    assert client.get(reverse("demands:detail", args=[demand.pk])).status_code == 404
    client.force_login(user_with_role(Role.BROKER))
    assert client.get(reverse("demands:detail", args=[demand.pk])).status_code == 404
    client.force_login(reviewers["county"])
    assert client.get(reverse("demands:detail", args=[demand.pk])).status_code == 200


def test_reviewer_approves_and_sees_explained_matches(
    client, regions, reviewers, django_capture_on_commit_callbacks
):
    applicant = applicant_of(region=regions["county"])
    achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    enterprise = enterprise_user(regions["county"])
    demand = demand_in_state(DemandState.SUBMITTED, enterprise=enterprise, region=regions["county"])
    client.force_login(reviewers["county"])
    queue = client.get(reverse("demands:review_queue")).content.decode()
    assert demand.title in queue
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("demands:transition", args=[demand.pk, "approve"]))
    demand.refresh_from_db()
    assert demand.state == DemandState.PUBLISHED
    page = client.get(reverse("demands:detail", args=[demand.pk])).content.decode()
    assert "高导热石墨烯复合薄膜的制备技术" in page
    assert 'data-state="proposed"' in page
    client.force_login(enterprise)
    assert (
        'data-state="proposed"'
        not in client.get(reverse("demands:detail", args=[demand.pk])).content.decode()
    )


def test_return_needs_a_reason_and_the_enterprise_resubmits(client, regions, reviewers):
    enterprise = enterprise_user(regions["county"])
    demand = demand_in_state(DemandState.SUBMITTED, enterprise=enterprise, region=regions["county"])
    client.force_login(reviewers["county"])
    client.post(reverse("demands:transition", args=[demand.pk, "return"]))
    demand.refresh_from_db()
    assert demand.state == DemandState.SUBMITTED
    client.post(reverse("demands:transition", args=[demand.pk, "return"]), {"reason": "请补充指标"})
    demand.refresh_from_db()
    assert demand.state == DemandState.RETURNED
    client.force_login(enterprise)
    client.post(
        reverse("demands:edit", args=[demand.pk]),
        {**form_post(demand_data(regions["county"])), "submit_now": "1"},
    )
    demand.refresh_from_db()
    assert demand.state == DemandState.SUBMITTED


def test_enterprise_closes_with_outcome(client, regions, reviewers):
    enterprise = enterprise_user(regions["county"])
    demand = demand_in_state(
        DemandState.PUBLISHED, enterprise=enterprise, region=regions["county"], reviewer=reviewers["county"]
    )
    client.force_login(enterprise)
    client.post(reverse("demands:transition", args=[demand.pk, "close"]), {"solved": "0", "note": ""})
    demand.refresh_from_db()
    assert demand.state == DemandState.PUBLISHED  # unsolved needs its reason
    client.post(reverse("demands:transition", args=[demand.pk, "close"]), {"solved": "0", "note": "预算不足"})
    demand.refresh_from_db()
    assert demand.state == DemandState.UNSOLVED
    assert demand.close_note == "预算不足"


def test_pages_answer_bad_ids_with_404(client):
    assert client.get("/demands/999999/").status_code == 404
    assert client.get(reverse("demands:hall")).status_code == 200
