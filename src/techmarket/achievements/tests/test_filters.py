"""Catalogue screening: every invalid value is reported (page and API), never silently ignored."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state

pytestmark = pytest.mark.django_db

BAD_INPUTS = [
    ({"region": "武汉"}, "region"),
    ({"region": "123456"}, "region"),  # well-formed, but no such region
    ({"trl_min": "15"}, "trl_min"),
    ({"trl_max": "0"}, "trl_max"),
    ({"year": "abc"}, "year"),
    ({"discipline": "999999"}, "discipline"),
    ({"industry": "ZZ"}, "industry"),
    ({"industry": "<script>"}, "industry"),
    ({"trl_min": "7", "trl_max": "3"}, "trl_max"),
    ({"price_min": "100", "price_max": "10"}, "price_max"),
    ({"price_min": "-1"}, "price_min"),
    ({"transfer_mode": "gift"}, "transfer_mode"),
]


@pytest.fixture
def published(regions, reviewers, applicant):
    return achievement_in_state(
        AchievementState.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
    )


@pytest.mark.parametrize(("params", "field"), BAD_INPUTS)
def test_the_page_names_the_invalid_filter_and_lists_nothing(client: Client, published, params, field):
    response = client.get(reverse("achievements:catalogue"), params)
    assert response.status_code == 200
    page = response.content.decode()
    assert "部分筛选条件无效" in page
    assert response.context["form"].errors[field]
    # Shown next to the field, not only in the summary.
    assert f'id="error-{field}"' in page
    assert response.context["page"].paginator.count == 0
    assert published.name not in page


@pytest.mark.parametrize(("params", "field"), BAD_INPUTS)
def test_an_htmx_refresh_updates_the_messages_next_to_the_fields(client: Client, published, params, field):
    response = client.get(reverse("achievements:catalogue"), params, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert f'id="error-{field}" aria-live="polite" hx-swap-oob="true">' in page
    assert "部分筛选条件无效" in page


@pytest.mark.parametrize(("params", "field"), BAD_INPUTS)
def test_the_api_answers_400_naming_the_field(client: Client, published, params, field):
    response = client.get("/api/v1/achievements/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_filter"
    assert field in body["fields"]


def test_the_export_refuses_nothing_but_exports_nothing_for_invalid_filters(client: Client, published):
    response = client.get(reverse("achievements:export"), {"region": "武汉"})
    assert response.status_code == 200


def test_valid_codes_filter_through_the_tree(client: Client, published, regions):
    """A province, a city or the county itself all find a county's record; another city does not."""
    for code in (regions["province"].code, regions["city"].code, regions["county"].code):
        response = client.get(reverse("achievements:catalogue"), {"region": code})
        assert response.context["page"].paginator.count == 1, code
    response = client.get(reverse("achievements:catalogue"), {"region": regions["other_city"].code})
    assert response.context["page"].paginator.count == 0
    assert client.get("/api/v1/achievements/", {"region": regions["city"].code}).json()["count"] == 1


def test_the_picker_keeps_the_chosen_levels_and_drops_a_stale_lower_one(client: Client, published, regions):
    """Changing the province leaves the old city's select in the form without JavaScript: it is dropped."""
    response = client.get(
        reverse("achievements:catalogue"), {"region": [regions["province"].code, regions["other_city"].code]}
    )
    assert response.context["form"].cleaned_data["region"] == regions["other_city"].code
    assert response.context["page"].paginator.count == 0
    response = client.get(
        reverse("achievements:catalogue"),
        {"region": [regions["other_city"].code, regions["county"].code]},  # county of the first city
    )
    assert response.context["form"].cleaned_data["region"] == regions["other_city"].code
    page = response.content.decode()
    assert f'<option value="{regions["other_city"].code}" selected>' in page
    assert '<option value="{}"'.format(regions["other_county"].code) in page  # the next level offered


def test_industry_screening_follows_the_tree_not_the_code_prefix(
    client: Client, regions, reviewers, applicant
):
    """GB/T 4754 section C (制造业) holds division 39, whose code does not start with C."""
    from techmarket.core.models import Classification

    division = Classification.objects.get(scheme="industry", code="39")
    record = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        industry=division,
    )
    for code, expected in (("C", 1), ("39", 1), ("A", 0)):
        response = client.get(reverse("achievements:catalogue"), {"industry": code})
        assert response.context["page"].paginator.count == expected, code
    assert record.name in client.get(reverse("achievements:catalogue"), {"industry": "C"}).content.decode()
