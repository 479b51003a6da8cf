"""Filing rules shared by achievements and demands: an organisation files only in its own region and the
regions below it, and a double-submitted creation form creates one record and says so."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from techmarket.achievements import services as achievement_services
from techmarket.achievements.models import Achievement
from techmarket.achievements.tests.factories import achievement_data, draft, filing_post
from techmarket.core.errors import DomainError
from techmarket.demands import services as demand_services
from techmarket.demands.models import Demand
from techmarket.demands.tests.factories import demand_data, enterprise_user

pytestmark = pytest.mark.django_db


class TestOwnRegion:
    def test_county_organisation_files_in_its_county_only(self, regions, applicant):
        assert applicant.organisation.region == regions["county"]
        with pytest.raises(DomainError) as caught:
            achievement_services.achievement_create(
                actor=applicant, data=achievement_data(regions["other_county"])
            )
        assert caught.value.code == "region_outside_organisation"
        assert "甲市东县" in caught.value.message
        assert list(caught.value.fields) == ["region"]
        with pytest.raises(DomainError):
            achievement_services.achievement_create(actor=applicant, data=achievement_data(regions["city"]))
        assert not Achievement.objects.exists()

    def test_city_organisation_files_in_the_city_and_its_counties(self, regions, applicant):
        applicant.organisation.region = regions["city"]
        applicant.organisation.save()
        for region in (regions["city"], regions["county"]):
            achievement_services.achievement_create(actor=applicant, data=achievement_data(region))
        assert Achievement.objects.count() == 2

    def test_a_draft_cannot_be_moved_outside(self, regions, applicant):
        record = draft(applicant=applicant, region=regions["county"])
        with pytest.raises(DomainError):
            achievement_services.achievement_update(
                actor=applicant, achievement=record, data={"region": regions["other_city"]}
            )
        record.refresh_from_db()
        assert record.region == regions["county"]

    def test_demands_follow_the_same_rule(self, regions):
        enterprise = enterprise_user(regions["other_county"])
        with pytest.raises(DomainError) as caught:
            demand_services.demand_create(actor=enterprise, data=demand_data(regions["county"]))
        assert caught.value.code == "region_outside_organisation"
        assert "乙市西县" in caught.value.message
        demand_services.demand_create(actor=enterprise, data=demand_data(regions["other_county"]))
        assert Demand.objects.count() == 1

    def test_the_api_answers_with_the_message(self, regions, applicant):
        from techmarket.accounts.services import token_issue

        token = token_issue(user=applicant)
        data = achievement_data(regions["other_county"])
        payload = {
            **{k: v for k, v in data.items() if k not in {"discipline", "industry", "region"}},
            "discipline": data["discipline"].code,
            "industry": data["industry"].code,
            "region": regions["other_county"].code,
            "completion_date": str(data["completion_date"]),
        }
        response = Client().post(
            "/api/v1/achievements/",
            payload,
            content_type="application/json",
            headers={"Authorization": f"Token {token.key}"},
        )
        assert response.status_code == 400
        assert response.json()["code"] == "region_outside_organisation"


def key_of(page) -> str:
    match = re.search(r'name="submission_key" value="([0-9a-f]{32})"', page.content.decode())
    assert match, "the creation form carries a one-time key"
    return match.group(1)


class TestDoubleSubmission:
    def test_the_same_achievement_form_posted_twice_creates_one_record(self, regions, applicant):
        client = Client()
        client.force_login(applicant)
        key = key_of(client.get(reverse("achievements:create")))
        form = {**filing_post(achievement_data(regions["county"])), "submission_key": key}
        assert client.post(reverse("achievements:create"), form).status_code == 302
        again = client.post(reverse("achievements:create"), form)
        assert again.status_code == 200
        assert "该表单已经提交过" in again.content.decode()
        assert Achievement.objects.count() == 1
        # A new rendering of the form is a new key: filing a second record on purpose still works.
        assert key_of(client.get(reverse("achievements:create"))) != key

    def test_the_same_demand_form_posted_twice_creates_one_demand(self, regions):
        enterprise = enterprise_user(regions["county"])
        client = Client()
        client.force_login(enterprise)
        key = key_of(client.get(reverse("demands:create")))
        data = demand_data(regions["county"])
        form = {k: v for k, v in data.items() if v is not None}
        form.update(industry=data["industry"].pk, region=data["region"].pk, submission_key=key)
        assert client.post(reverse("demands:create"), form).status_code == 302
        again = client.post(reverse("demands:create"), form)
        assert again.status_code == 200
        assert "该表单已经提交过" in again.content.decode()
        assert Demand.objects.count() == 1

    def test_a_refused_submission_frees_its_key(self, regions):
        enterprise = enterprise_user(regions["county"])
        with pytest.raises(DomainError):
            demand_services.demand_create(
                actor=enterprise, data=demand_data(regions["other_city"]), submission_key="k1"
            )
        demand_services.demand_create(
            actor=enterprise, data=demand_data(regions["county"]), submission_key="k1"
        )
        with pytest.raises(DomainError) as caught:
            demand_services.demand_create(
                actor=enterprise, data=demand_data(regions["county"]), submission_key="k1"
            )
        assert caught.value.code == "duplicate_submission"
        assert Demand.objects.count() == 1
