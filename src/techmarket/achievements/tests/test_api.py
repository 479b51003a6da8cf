"""The achievements REST API: filing with national codes, the error envelope, transitions, timeline, paging."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState as S
from techmarket.achievements.models import Achievement
from techmarket.achievements.tests.factories import achievement_in_state, draft
from techmarket.core.choices import ClassificationScheme
from techmarket.core.models import AuditEvent
from techmarket.core.tests.factories import ClassificationFactory, cover_region

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/achievements/"


def api(actor: Any = None) -> Client:
    client = Client()
    if actor is not None:
        client.force_login(actor)
    return client


@pytest.fixture
def codes(db):
    ClassificationFactory(scheme=ClassificationScheme.DISCIPLINE, code="430", name="材料科学")
    ClassificationFactory(scheme=ClassificationScheme.INDUSTRY, code="C39", name="电子设备制造业")


def payload(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "柔性钙钛矿太阳能电池",
        "achievement_type": "applied",
        "discipline": "430",
        "industry": "C39",
        "keywords": "钙钛矿，太阳能电池",
        "abstract": "一种可弯折的钙钛矿电池，光电转换效率达到24%。",
        "funding_source": "non_fiscal",
        "evaluation_form": "evaluation",
        "evaluation_date": "2025-06-01",
        "completion_date": "2025-05-01",
        "attribute": "original",
        "stage": "middle",
        "trl": 5,
        "transfer_modes": ["license"],
        "reference_price": "300.00",
        "region": "990102",
        "organisations": ["测试大学"],
        "persons": [{"name": "王五", "role": "leader"}],
        "ip_rights": [{"number": "ZL202410000002.1", "ip_type": "invention", "status": "filed"}],
    }
    data.update(overrides)
    return data


def post(client: Client, url: str, data: dict[str, Any] | None = None, **headers: str):
    return client.post(url, data or {}, content_type="application/json", headers=headers)


def assert_envelope(response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["fields"], dict)
    return body


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class TestCreate:
    def test_create_with_codes(self, regions, applicant, codes):
        response = post(api(applicant), LIST_URL, payload())
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["state"] == S.DRAFT
        assert body["discipline"] == {"code": "430", "name": "材料科学"}
        assert body["industry"]["code"] == "C39"
        assert body["region"] == {"code": "990102", "name": "甲市东县"}
        assert body["keywords"] == ["钙钛矿", "太阳能电池"]
        assert body["transfer_modes"] == ["license"]
        assert body["reference_price"] == "300.00"
        assert body["persons"] == [{"name": "王五", "organisation_name": "", "role": "leader", "title": ""}]
        assert body["organisations"] == ["测试大学"]
        record = Achievement.objects.get(pk=body["id"])
        assert record.owner_organisation == applicant.organisation
        assert AuditEvent.objects.filter(
            target_id=str(record.pk), action="achievements.achievement.create"
        ).exists()

    def test_create_with_a_token(self, regions, applicant, codes):
        from techmarket.accounts.services import token_issue

        token = token_issue(user=applicant)
        response = Client().post(
            LIST_URL,
            payload(),
            content_type="application/json",
            headers={"Authorization": f"Token {token.key}"},
        )
        assert response.status_code == 201

    def test_anonymous_cannot_create(self, regions, codes):
        body = assert_envelope(post(api(), LIST_URL, payload()), 401, "not_authenticated")
        assert has_chinese(body["message"])
        assert not Achievement.objects.exists()

    def test_non_filer_cannot_create(self, regions, codes):
        enterprise = user_with_role(
            Role.ENTERPRISE, organisation=OrganisationFactory(region=regions["county"])
        )
        assert_envelope(post(api(enterprise), LIST_URL, payload()), 403, "permission_denied")
        assert not Achievement.objects.exists()

    def test_field_errors_use_the_envelope_in_chinese(self, regions, applicant, codes):
        data = payload(discipline="999", region="123456", trl=12, transfer_modes=["gift"])
        del data["name"]
        body = assert_envelope(post(api(applicant), LIST_URL, data), 400, "invalid")
        assert has_chinese(body["message"])
        assert set(body["fields"]) >= {"name", "discipline", "region", "trl", "transfer_modes.0"}
        assert all(isinstance(m, str) for messages in body["fields"].values() for m in messages)
        assert not Achievement.objects.exists()

    def test_business_rules_use_the_envelope(self, regions, applicant, codes):
        body = assert_envelope(
            post(api(applicant), LIST_URL, payload(funding_source="fiscal")), 400, "invalid"
        )
        assert set(body["fields"]) == {"programme_name", "project_number"}
        assert has_chinese(body["fields"]["programme_name"][0])

    def test_secret_is_refused_and_nothing_stored(self, regions, applicant, codes):
        events = AuditEvent.objects.count()
        body = assert_envelope(
            post(api(applicant), LIST_URL, payload(confidentiality="secret")), 400, "secret_not_allowed"
        )
        assert "confidentiality" in body["fields"]
        assert not Achievement.objects.exists()
        assert AuditEvent.objects.count() == events

    @pytest.mark.parametrize("field", ["discipline", "industry", "region", "name", "keywords"])
    def test_nul_characters_are_field_errors(self, field, regions, applicant, codes):
        """Regression (schema fuzz on PostgreSQL): NUL in a code reached the lookup and answered 500."""
        data = payload(**{field: "4\x0030"})
        body = assert_envelope(post(api(applicant), LIST_URL, data), 400, "invalid")
        assert list(body["fields"]) == [field]
        form = api(applicant).post(LIST_URL, {**data, "persons": [], "ip_rights": []})
        assert form.status_code == 400
        assert not Achievement.objects.exists()

    def test_english_callers_get_the_same_envelope(self, regions, applicant, codes):
        response = post(api(applicant), LIST_URL, {"name": ""}, **{"Accept-Language": "en"})
        body = assert_envelope(response, 400, "invalid")
        assert "name" in body["fields"]

    def test_malformed_json_is_a_parse_error(self, applicant):
        response = api(applicant).post(LIST_URL, "{not json", content_type="application/json")
        assert_envelope(response, 400, "parse_error")


class TestUpdate:
    def test_owner_patches_a_draft(self, regions, applicant, codes):
        record = draft(applicant=applicant, region=regions["county"])
        cover_region(applicant.organisation, regions["city"])  # the organisation may file at the city
        response = api(applicant).patch(
            f"{LIST_URL}{record.pk}/", {"trl": 7, "region": "990100"}, content_type="application/json"
        )
        assert response.status_code == 200, response.content
        record.refresh_from_db()
        assert (record.trl, record.region_id, record.county_code) == (7, "990100", "")

    def test_no_patch_in_review(self, regions, reviewers, applicant):
        record = achievement_in_state(
            S.COUNTY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
        )
        response = api(applicant).patch(
            f"{LIST_URL}{record.pk}/", {"trl": 7}, content_type="application/json"
        )
        assert_envelope(response, 403, "permission_denied")
        assert Achievement.objects.get(pk=record.pk).trl == 6

    def test_outsiders_get_404(self, regions, applicant):
        record = draft(applicant=applicant, region=regions["county"])
        other = user_with_role(Role.APPLICANT, organisation=OrganisationFactory(region=regions["county"]))
        response = api(other).patch(f"{LIST_URL}{record.pk}/", {"trl": 7}, content_type="application/json")
        assert_envelope(response, 404, "not_found")


class TestTransitions:
    def url(self, record: Achievement, name: str) -> str:
        return f"{LIST_URL}{record.pk}/transitions/{name}/"

    def test_submit_approve_publish(self, regions, reviewers, applicant):
        record = draft(applicant=applicant, region=regions["county"])
        response = post(api(applicant), self.url(record, "submit"))
        assert response.status_code == 200
        assert response.json()["state"] == S.COUNTY_REVIEW
        assert (
            post(api(reviewers["county"]), self.url(record, "county_approve")).json()["state"]
            == S.CITY_REVIEW
        )
        body = post(api(reviewers["city"]), self.url(record, "city_approve")).json()
        assert body["state"] == S.PUBLISHED
        assert body["registration_number"].startswith("990100")

    def test_return_needs_a_reason(self, regions, reviewers, applicant):
        record = achievement_in_state(
            S.COUNTY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
        )
        body = assert_envelope(
            post(api(reviewers["county"]), self.url(record, "return")), 400, "reason_required"
        )
        assert "reason" in body["fields"]
        assert Achievement.objects.get(pk=record.pk).state == S.COUNTY_REVIEW
        response = post(api(reviewers["county"]), self.url(record, "return"), {"reason": "请补充附件"})
        assert response.json()["state"] == S.RETURNED

    def test_refusals(self, regions, reviewers, applicant):
        record = achievement_in_state(
            S.COUNTY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
        )
        assert_envelope(
            post(api(reviewers["city"]), self.url(record, "county_approve")), 403, "permission_denied"
        )
        assert_envelope(
            post(api(reviewers["county"]), self.url(record, "city_approve")), 409, "invalid_transition"
        )
        assert_envelope(
            post(api(reviewers["county"]), self.url(record, "publish")), 409, "invalid_transition"
        )
        assert_envelope(
            post(api(reviewers["other_city"]), self.url(record, "county_approve")), 404, "not_found"
        )
        assert_envelope(post(api(), self.url(record, "county_approve")), 401, "not_authenticated")
        assert Achievement.objects.get(pk=record.pk).state == S.COUNTY_REVIEW

    def test_timeline(self, regions, reviewers, applicant):
        record = achievement_in_state(
            S.RETURNED, applicant=applicant, region=regions["county"], reviewers=reviewers
        )
        response = api(applicant).get(f"{LIST_URL}{record.pk}/timeline/")
        assert response.status_code == 200
        rows = [(e["action"], e["from_state"], e["to_state"], e["reason"]) for e in response.json()]
        assert rows == [
            ("achievements.achievement.create", "", S.DRAFT, ""),
            ("achievements.achievement.submit", S.DRAFT, S.COUNTY_REVIEW, ""),
            ("achievements.achievement.return", S.COUNTY_REVIEW, S.RETURNED, "请补充技术指标"),
        ]
        assert response.json()[2]["actor"] == str(reviewers["county"])


class TestListing:
    @pytest.fixture
    def three_published(self, regions, reviewers, applicant):
        return [
            achievement_in_state(
                S.PUBLISHED,
                applicant=applicant,
                region=regions["county"],
                reviewers=reviewers,
                name=f"第{n}项成果",
                trl=n + 3,
            )
            for n in range(3)
        ]

    def test_pagination(self, three_published):
        first = api().get(LIST_URL, {"page_size": 2}).json()
        assert first["count"] == 3
        assert len(first["results"]) == 2
        assert first["next"]
        second = api().get(LIST_URL, {"page_size": 2, "page": 2}).json()
        assert len(second["results"]) == 1
        assert second["next"] is None
        assert {r["id"] for r in first["results"] + second["results"]} == {a.pk for a in three_published}
        assert_envelope(api().get(LIST_URL, {"page": 9}), 404, "not_found")
        assert api().get(LIST_URL, {"page_size": 100000}).json()["count"] == 3

    def test_filters_and_sort(self, three_published):
        body = api().get(LIST_URL, {"trl_min": 4, "sort": "trl"}).json()
        assert [r["trl"] for r in body["results"]] == [5, 4]
        assert api().get(LIST_URL, {"search": "成果", "region": "990100"}).json()["count"] == 3
        assert api().get(LIST_URL, {"region": "990200"}).json()["count"] == 0

    @pytest.mark.parametrize(
        "params",
        [{"trl_min": "abc"}, {"region": "12"}, {"year": "99999"}, {"price_min": "-1"}, {"sort": "sideways"}],
    )
    def test_bad_filters_use_the_envelope(self, params, three_published):
        body = assert_envelope(api().get(LIST_URL, params), 400, "invalid_filter")
        assert set(body["fields"]) == set(params)

    def test_detail_of_a_public_record_for_anonymous(self, three_published):
        record = three_published[0]
        body = api().get(f"{LIST_URL}{record.pk}/").json()
        assert body["name"] == record.name
        assert body["registration_number"] == record.registration_number
        assert body["ip_rights"] == [
            {"number": "ZL202310000001.X", "ip_type": "invention", "status": "granted", "title": ""}
        ]

    def test_unknown_detail_is_404(self, db):
        assert_envelope(api().get(f"{LIST_URL}424242/"), 404, "not_found")

    @pytest.mark.parametrize("query", ["的", "!!!", "_", "的了，。"])
    def test_queries_without_words_find_nothing(self, query, three_published):
        """Regression (schema fuzz): a query with no searchable word used to answer 500."""
        assert api().get(LIST_URL, {"search": query}).json()["count"] == 0
        assert api().get(f"{LIST_URL}suggest/", {"q": query}).json() == {"suggestions": []}
        page = api().get("/achievements/", {"q": query})
        assert page.status_code == 200
        assert "第0项成果" not in page.content.decode()

    def test_out_of_range_and_nul_input_is_refused_not_a_500(self, three_published):
        """Regression: an organisation id beyond 64 bits crashed SQLite; NUL in a suggest query crashed
        PostgreSQL."""
        huge = "9" * 20
        body = assert_envelope(api().get(LIST_URL, {"organisation": huge}), 400, "invalid_filter")
        assert list(body["fields"]) == ["organisation"]
        assert api().get("/achievements/", {"organisation": huge}).status_code == 200
        assert api().get("/achievements/export.xlsx", {"organisation": huge}).status_code == 200
        assert api().get(f"{LIST_URL}suggest/", {"q": "第1\x00"}).json()["suggestions"][0] == "第1项成果"
        assert api().get("/achievements/suggest", {"q": "\x00第1"}).status_code == 200
        assert_envelope(api().get(LIST_URL, {"search": "a\x00b"}), 400, "invalid_filter")
        assert_envelope(api().get(f"{LIST_URL}{huge}/"), 404, "not_found")
        assert_envelope(post(api(), f"{LIST_URL}{huge}/transitions/submit/"), 401, "not_authenticated")

    def test_suggest(self, three_published):
        # The title prefix comes first, then full-text matches.
        assert api().get(f"{LIST_URL}suggest/", {"q": "第1"}).json()["suggestions"][0] == "第1项成果"
        assert api().get(f"{LIST_URL}suggest/").json() == {"suggestions": []}


def test_schema_is_served(db):
    response = Client().get("/api/v1/schema/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/achievements/{id}/transitions/{transition}/" in paths
    assert "/api/v1/auth/token/" in paths
