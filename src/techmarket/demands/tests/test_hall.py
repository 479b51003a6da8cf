"""The demand hall: the catalogue's full-text search and screening, with the same validation rules."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from techmarket.core.models import Classification
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state, enterprise_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(regions, reviewers):
    """Two published demands in different cities and industries, budgets and deadlines."""
    today = timezone.localdate()
    first = demand_in_state(
        DemandState.PUBLISHED,
        enterprise=enterprise_user(regions["county"]),
        region=regions["county"],
        reviewer=reviewers["county"],
    )
    second = demand_in_state(
        DemandState.PUBLISHED,
        enterprise=enterprise_user(regions["other_county"]),
        region=regions["other_county"],
        reviewer=reviewers["other_city"],
        title="钠离子电池储能系统",
        problem="寻找低成本钠离子电池正极材料，用于电网侧储能，循环寿命四千次以上。",
        targets="能量密度≥140Wh/kg。",
        keywords="钠离子电池，储能",
        industry=Classification.objects.get(scheme="industry", code="38"),
        budget_min="300",
        budget_max="800",
        cooperation=["purchase"],
        deadline=today + datetime.timedelta(days=400),
    )
    return {"first": first, "second": second}


def titles(response) -> list[str]:
    return [demand.title for demand in response.context["page"]]


def test_full_text_search_reaches_beyond_the_title(client: Client, hall):
    """储能 is only in the keywords and problem, 电网 only in the problem."""
    assert titles(client.get(reverse("demands:hall"), {"q": "电网 储能"})) == ["钠离子电池储能系统"]
    page = client.get(reverse("demands:hall"), {"q": "钠离子"}).content.decode()
    assert '<mark class="search-hit">钠离子</mark>' in page
    assert titles(client.get(reverse("demands:hall"), {"q": "不存在的东西"})) == []
    partial = client.get(reverse("demands:hall"), {"q": "钠离子 火箭"})
    assert titles(partial) == ["钠离子电池储能系统"]
    assert "以下为部分匹配" in partial.content.decode()


def test_screening_by_region_industry_budget_deadline_and_cooperation(client: Client, hall, regions):
    today = timezone.localdate()
    cases = [
        ({"region": regions["city"].code}, ["手机散热用高导热薄膜"]),
        ({"region": [regions["province"].code, regions["other_city"].code]}, ["钠离子电池储能系统"]),
        ({"industry": "C"}, ["钠离子电池储能系统"]),  # 38 is in section C; the factory's C39 is not
        ({"budget_min": "200"}, ["钠离子电池储能系统"]),
        ({"budget_max": "200"}, ["手机散热用高导热薄膜"]),
        ({"deadline_to": (today + datetime.timedelta(days=100)).isoformat()}, ["手机散热用高导热薄膜"]),
        ({"deadline_from": (today + datetime.timedelta(days=100)).isoformat()}, ["钠离子电池储能系统"]),
        ({"cooperation": "license"}, ["手机散热用高导热薄膜"]),
    ]
    for params, expected in cases:
        assert titles(client.get(reverse("demands:hall"), params)) == expected, params
        api = client.get("/api/v1/demands/", params).json()
        assert [item["title"] for item in api["results"]] == expected, params


BAD_INPUTS = [
    ({"region": "武汉"}, "region"),
    ({"region": "123456"}, "region"),
    ({"industry": "ZZ"}, "industry"),
    ({"budget_min": "abc"}, "budget_min"),
    ({"budget_min": "-5"}, "budget_min"),
    ({"budget_min": "500", "budget_max": "100"}, "budget_max"),
    ({"deadline_from": "2026-13-01"}, "deadline_from"),
    ({"deadline_from": "2027-01-01", "deadline_to": "2026-01-01"}, "deadline_to"),
    ({"cooperation": "gift"}, "cooperation"),
    ({"q": "x" * 300}, "q"),
]


@pytest.mark.parametrize(("params", "field"), BAD_INPUTS)
def test_invalid_filters_are_named_on_the_page_and_nothing_is_listed(client: Client, hall, params, field):
    response = client.get(reverse("demands:hall"), params)
    assert response.status_code == 200
    page = response.content.decode()
    assert "部分筛选条件无效" in page
    assert response.context["form"].errors[field]
    assert f'id="error-{field}"' in page
    assert titles(response) == []
    htmx = client.get(reverse("demands:hall"), params, headers={"HX-Request": "true"}).content.decode()
    assert f'id="error-{field}" aria-live="polite" hx-swap-oob="true">' in htmx


@pytest.mark.parametrize(("params", "field"), BAD_INPUTS)
def test_invalid_filters_are_a_400_in_the_api(client: Client, hall, params, field):
    response = client.get("/api/v1/demands/", params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_filter"
    assert field in response.json()["fields"]
