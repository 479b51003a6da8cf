"""The dashboard (access, statistics, charts), the inbox, the push button, region hours and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import principal_of
from techmarket.accounts.tests.factories import user_with_role
from techmarket.core.audit import events_for
from techmarket.demands.tests.factories import enterprise_user
from techmarket.docking import selectors, services
from techmarket.docking.models import ClockPolicy, PushRecipient, Response
from techmarket.docking.tests.factories import (
    ClockPolicyFactory,
    ResponseClockFactory,
    confirmed,
    expert_with_login,
    published_demand,
)
from techmarket.matching.choices import TargetKind

pytestmark = pytest.mark.django_db


def role_user(name, regions, reviewers):
    if name in reviewers:
        return reviewers[name]
    if name == "enterprise":
        return enterprise_user(regions["county"])
    role = {
        "applicant": Role.APPLICANT,
        "expert": Role.EXPERT,
        "broker": Role.BROKER,
        "admin": Role.PLATFORM_ADMIN,
    }
    return user_with_role(role[name])


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("enterprise", 403),
        ("applicant", 403),
        ("expert", 403),
        ("broker", 200),
        ("county", 200),
        ("province", 200),
        ("admin", 200),
    ],
)
def test_dashboard_access(name, status, regions, reviewers, client):
    client.force_login(role_user(name, regions, reviewers))
    page = client.get("/docking/dashboard/")
    assert page.status_code == status
    assert client.get("/api/v1/docking/dashboard/").status_code == status
    if status == 200:
        html = page.content.decode()
        assert "/static/vendor/echarts/echarts.min.js" in html
        assert 'id="docking-chart-data"' in html
        assert "/static/docking/dashboard.js" in html


def test_dashboard_needs_a_login(client):
    assert client.get("/docking/dashboard/").status_code == 302
    assert client.get("/api/v1/docking/dashboard/").status_code in {401, 403}


@pytest.fixture
def answered(regions, reviewers):
    """Four answered demands: 甲市 in 2, 10 and 30 of 24 hours; 乙市 in 5 of 4 hours."""

    def demand(region, hours, taken, responder):
        made = published_demand(region, reviewers["province"])
        start = made.response_clock.started_at
        return ResponseClockFactory(
            demand=made,
            started_at=start,
            hours=hours,
            responded_at=start + timedelta(hours=taken),
            responded_by=responder,
        )

    return [
        demand(regions["county"], 24, 2, reviewers["county"]),
        demand(regions["county"], 24, 10, reviewers["city"]),
        demand(regions["city"], 24, 30, reviewers["county"]),
        demand(regions["other_county"], 4, 5, reviewers["province"]),
    ]


def by_key(groups):
    return {group.key: (group.count, group.median_hours, group.within_share) for group in groups}


def test_statistics_per_region_and_responder(answered, regions, reviewers, admin_user):
    stats = selectors.response_stats(principal_of(admin_user))
    overall = stats["overall"]
    assert (overall.count, overall.median_hours, overall.within_share) == (4, 7.5, 0.5)
    assert by_key(stats["regions"]) == {
        regions["city"].code: (3, 10, 0.6667),
        regions["other_city"].code: (1, 5, 0),
    }
    assert by_key(stats["responders"]) == {
        str(reviewers["county"].pk): (2, 16, 0.5),
        str(reviewers["city"].pk): (1, 10, 1),
        str(reviewers["province"].pk): (1, 5, 0),
    }
    county_view = selectors.response_stats(principal_of(reviewers["county"]))
    assert county_view["overall"].count == 2  # the city-level demand is outside a county reviewer's chain


def test_dashboard_lists_open_demands_by_time_left(regions, reviewers, client):
    later = published_demand(regions["county"], reviewers["county"], title="晚到期的需求")
    sooner = published_demand(regions["county"], reviewers["county"], title="已超时的需求")
    clock = sooner.response_clock
    ResponseClockFactory(demand=sooner, started_at=clock.started_at - timedelta(hours=30))
    client.force_login(reviewers["county"])
    html = client.get("/docking/dashboard/").content.decode()
    assert html.index("已超时的需求") < html.index("晚到期的需求")
    assert "table-danger" in html
    assert 'id="overdue-count">1<' in html
    data = client.get("/api/v1/docking/dashboard/").json()
    assert [row["demand"] for row in data["open"]] == [sooner.pk, later.pk]
    assert data["open"][0]["overdue"] is True
    assert data["overdue_count"] == 1


def test_dashboard_charts_carry_the_statistics(answered, client, admin_user):
    client.force_login(admin_user)
    response = client.get("/docking/dashboard/")
    chart = response.context["chart"]
    assert chart["regions"]["names"] == ["甲市", "乙市"]
    assert chart["regions"]["median"] == [10, 5]
    assert chart["regions"]["within"] == [66.7, 0]


# --- Push button, inbox and answers ------------------------------------------------------------------


@pytest.fixture
def ready(regions, reviewers):
    demand = published_demand(regions["county"], reviewers["county"])
    expert = expert_with_login(regions["county"], name="周教授")
    confirmed(reviewers["county"], demand, TargetKind.EXPERT, expert.pk)
    return demand, expert


def test_the_push_button(ready, reviewers, client):
    demand, _expert = ready
    client.force_login(reviewers["county"])
    answer = client.post(
        f"/docking/demands/{demand.pk}/push/", {"message": "请联系", "next": "https://evil.example/"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/docking/dashboard/"
    assert Response.objects.get(demand=demand).message == "请联系"
    again = client.post(f"/docking/demands/{demand.pk}/push/", {"next": "/docking/inbox/"})
    assert again["Location"] == "/docking/inbox/"  # nothing confirmed any more: an error message, no push
    assert Response.objects.filter(demand=demand).count() == 1


def test_the_push_button_refuses_others(ready, regions, reviewers, client):
    demand, _expert = ready
    client.force_login(reviewers["other_city"])
    assert client.post(f"/docking/demands/{demand.pk}/push/").status_code == 403
    assert client.post("/docking/demands/999999/push/").status_code == 404
    assert not Response.objects.exists()


def test_inbox_and_answer_pages(ready, reviewers, client):
    demand, expert = ready
    services.response_push(actor=reviewers["county"], demand=demand)
    row = PushRecipient.objects.get(user=expert.user)
    client.force_login(expert.user)
    html = client.get("/docking/inbox/").content.decode()
    assert demand.title in html
    assert f'id="push-{row.pk}"' in html
    assert "有意向" in html
    done = client.post(
        f"/docking/inbox/{row.pk}/answer/", {"kind": "declined", "reason": "terms", "message": ""}
    )
    assert done.status_code == 302
    assert done["Location"].endswith(f"#push-{row.pk}")
    row.refresh_from_db()
    assert (row.answer, row.decline_reason) == ("declined", "terms")
    refused = client.post(f"/docking/inbox/{row.pk}/answer/", {"kind": "declined", "reason": ""}, follow=True)
    assert "请选择婉拒原因" in refused.content.decode()
    client.force_login(reviewers["county"])
    assert client.post(f"/docking/inbox/{row.pk}/answer/", {"kind": "interested"}).status_code == 404
    assert client.get("/docking/inbox/").status_code == 200


def test_api_pushes_and_answers(ready, reviewers, client):
    demand, expert = ready
    client.force_login(reviewers["county"])
    made = client.post(
        f"/api/v1/docking/demands/{demand.pk}/push/", {"message": "API"}, content_type="application/json"
    )
    assert made.status_code == 201
    assert made.json()["message"] == "API"
    assert client.post(f"/api/v1/docking/demands/{demand.pk}/push/", {}).json()["code"] == "nothing_confirmed"
    assert client.post(f"/api/v1/docking/demands/{2**70}/push/", {}).status_code == 404
    client.force_login(expert.user)
    (item,) = client.get("/api/v1/docking/pushes/").json()["results"]
    assert item["demand"] == demand.pk
    assert item["match_name"] == "周教授"
    assert item["answer"] == ""
    url = f"/api/v1/docking/pushes/{item['id']}/answer/"
    assert (
        client.post(url, {"answer": "message", "message": "你好"}, content_type="application/json").json()[
            "text"
        ]
        == "你好"
    )
    assert client.post(url, {"answer": "bogus"}, content_type="application/json").status_code == 400
    assert client.post(f"/api/v1/docking/pushes/{2**70}/answer/", {"answer": "interested"}).status_code == 404
    client.force_login(reviewers["county"])
    assert client.post(url, {"answer": "interested"}).status_code == 404


# --- Region hours ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    [("enterprise", 403), ("broker", 403), ("county", 403), ("city", 200), ("province", 200), ("admin", 200)],
)
def test_policy_page_access(name, status, regions, reviewers, client):
    client.force_login(role_user(name, regions, reviewers))
    assert client.get("/docking/policies/").status_code == status


def test_a_city_reviewer_sets_hours_in_scope_only(regions, reviewers, client):
    client.force_login(reviewers["city"])
    saved = client.post(
        "/docking/policies/", {"region": regions["county"].code, "hours": 12, "remind_before_hours": 3}
    )
    assert saved.status_code == 302
    policy = ClockPolicy.objects.get(region=regions["county"])
    assert (policy.hours, policy.remind_before_hours, policy.updated_by) == (12, 3, reviewers["city"])
    assert [e.action for e in events_for(policy)] == ["docking.clockpolicy.set"]
    assert published_demand(regions["county"], reviewers["county"]).response_clock.hours == 12
    outside = client.post(
        "/docking/policies/", {"region": regions["other_county"].code, "hours": 12, "remind_before_hours": 3}
    )
    assert outside.status_code == 400
    assert not ClockPolicy.objects.filter(region=regions["other_county"]).exists()
    bad = client.post(
        "/docking/policies/", {"region": regions["city"].code, "hours": 4, "remind_before_hours": 4}
    )
    assert bad.status_code == 400
    assert "提前提醒" in bad.content.decode()
    unknown = client.post("/docking/policies/", {"region": "000001", "hours": 4, "remind_before_hours": 1})
    assert unknown.status_code == 400
    cleared = client.post(
        "/docking/policies/",
        {"region": regions["county"].code, "hours": 12, "remind_before_hours": 3, "clear": "1"},
    )
    assert cleared.status_code == 302
    assert not ClockPolicy.objects.filter(region=regions["county"]).exists()


def test_the_policy_page_lists_policies_in_scope(regions, reviewers, client):
    ClockPolicyFactory(region=regions["county"], hours=10)
    ClockPolicyFactory(region=regions["other_county"], hours=11)
    client.force_login(reviewers["city"])
    rows = list(client.get("/docking/policies/").context["rows"])
    assert [row.region_id for row in rows] == [regions["county"].code]


def test_a_retried_api_push_with_the_same_idempotency_key_returns_the_first_response(
    ready, reviewers, client
):
    from techmarket.docking.models import Response

    demand, _expert = ready
    client.force_login(reviewers["county"])
    url = f"/api/v1/docking/demands/{demand.pk}/push/"
    headers = {"Idempotency-Key": "push-7f3a"}
    first = client.post(url, {"message": "第一次"}, content_type="application/json", headers=headers)
    retry = client.post(url, {"message": "重试"}, content_type="application/json", headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Response.objects.filter(demand=demand).count() == 1
    # Without the key a second push is refused as before (nothing left to push).
    assert client.post(url, {}, content_type="application/json").json()["code"] == "nothing_confirmed"
