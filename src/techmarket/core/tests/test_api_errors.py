"""One error envelope for the whole API: {code, message, fields}, whatever raised the error."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation
from rest_framework import exceptions, serializers

from techmarket.core.api.errors import MESSAGES, exception_handler
from techmarket.core.errors import DomainError, InvalidTransition, NotFound, NotPermitted


def handle(exc: Exception):
    response = exception_handler(exc, {})
    assert response is not None
    assert set(response.data) == {"code", "message", "fields"}
    return response.status_code, response.data


def test_domain_errors_keep_their_code_status_and_fields():
    status, body = handle(
        DomainError("secret_not_allowed", "不得在线登记", fields={"confidentiality": ["涉密"]})
    )
    assert (status, body) == (
        400,
        {"code": "secret_not_allowed", "message": "不得在线登记", "fields": {"confidentiality": ["涉密"]}},
    )
    assert handle(NotPermitted())[0] == 403
    assert handle(NotFound())[0] == 404
    assert handle(InvalidTransition("不行"))[0] == 409
    assert handle(NotFound())[1]["message"] == "记录不存在或您无权查看。"


def test_django_validation_errors():
    status, body = handle(ValidationError({"trl": ["太大"], "name": ["必填"]}))
    assert (status, body["code"], body["fields"]) == (400, "invalid", {"trl": ["太大"], "name": ["必填"]})
    assert handle(ValidationError("整体有误"))[1]["fields"] == {"__all__": ["整体有误"]}


def test_django_404_and_permission_denied():
    assert handle(Http404())[:1] == (404,)
    assert handle(Http404())[1]["code"] == "not_found"
    assert handle(PermissionDenied())[1] == {
        "code": "permission_denied",
        "message": "您没有执行此操作的权限。",
        "fields": {},
    }


@pytest.mark.parametrize(
    ("exc", "status", "code", "message"),
    [
        (exceptions.NotAuthenticated(), 401, "not_authenticated", "请先登录。"),
        (exceptions.AuthenticationFailed(), 401, "authentication_failed", "身份认证失败。"),
        (exceptions.MethodNotAllowed("DELETE"), 405, "method_not_allowed", "不支持该请求方法。"),
        (exceptions.Throttled(wait=3), 429, "throttled", "请求过于频繁，请稍后再试。"),
        (exceptions.UnsupportedMediaType("text/xml"), 415, "unsupported_media_type", "不支持的请求格式。"),
        (exceptions.ParseError(), 400, "parse_error", "请求内容无法解析。"),
    ],
)
def test_drf_exceptions_in_chinese(exc, status, code, message):
    assert handle(exc) == (status, {"code": code, "message": message, "fields": {}})


def test_nested_field_errors_are_readable():
    class Person(serializers.Serializer):
        name = serializers.CharField(max_length=4)

    class Record(serializers.Serializer):
        title = serializers.CharField()
        tags = serializers.ListField(child=serializers.ChoiceField(choices=["a", "b"]))
        persons = Person(many=True)

    serializer = Record(data={"tags": ["a", "z"], "persons": [{"name": "ok"}, {"name": "far too long"}, {}]})
    assert not serializer.is_valid()
    status, body = handle(exceptions.ValidationError(serializer.errors))
    assert status == 400
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"title", "tags.1", "persons.1.name", "persons.2.name"}
    for messages in body["fields"].values():
        assert all(isinstance(m, str) and "ErrorDetail" not in m and "{" not in m for m in messages)


def test_non_field_errors():
    status, body = handle(exceptions.ValidationError(["两次输入不一致"]))
    assert status == 400
    assert body["fields"] == {"__all__": ["两次输入不一致"]}


def test_english_when_the_caller_asks():
    from django.utils import translation

    with translation.override("en"):
        status, body = handle(exceptions.NotAuthenticated())
    assert (status, body["code"]) == (401, "not_authenticated")
    assert body["message"]


def test_non_api_exceptions_are_left_to_django():
    assert exception_handler(RuntimeError("boom"), {}) is None


# Issue 9: under /api/ every error is the envelope, whatever raised it, also with DEBUG off.


def envelope_of(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    return body


@pytest.mark.django_db
def test_an_unknown_api_url_is_a_json_404_in_the_callers_language(client, settings):
    settings.DEBUG = False
    assert envelope_of(client.get("/api/v1/no-such-thing/"), 404)["message"] == "记录不存在或您无权查看。"
    english = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert envelope_of(english, 404)["code"] == "not_found"
    assert "记录" not in english.json()["message"]
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")  # pages keep their page


@pytest.mark.django_db
def test_method_not_allowed_and_forbidden_are_envelopes(client, settings, applicant):
    settings.DEBUG = False
    client.force_login(applicant)
    assert envelope_of(client.delete("/api/v1/achievements/"), 405)["code"] == "method_not_allowed"
    assert envelope_of(client.get("/api/v1/suggestions/?demand=1"), 404)["code"] == "not_found"
    client.logout()
    assert envelope_of(client.get("/api/v1/suggestions/?demand=1"), 401)["code"] == "not_authenticated"


@pytest.mark.django_db
def test_an_unexpected_exception_under_the_api_is_a_json_500(client, settings, monkeypatch):
    from techmarket.achievements import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    settings.DEBUG = False
    monkeypatch.setattr(selectors, "achievement_suggest", broken)
    client.raise_request_exception = False
    body = envelope_of(client.get("/api/v1/achievements/suggest/?q=x"), 500)
    assert body["code"] == "server_error"
    assert "boom" not in body["message"]
    english = client.get("/api/v1/achievements/suggest/?q=x", HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        assert envelope_of(english, 500)["message"] == MESSAGES["server_error"]()
    page = client.get("/achievements/suggest?q=x")
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [40, 5000, 200_000])
def test_deeply_nested_json_is_a_400_envelope(client, applicant, depth):
    client.force_login(applicant)
    body = "[" * depth + "]" * depth
    for url in ("/api/v1/achievements/", "/api/v1/demands/", "/api/v1/auth/token/"):
        response = client.post(url, body, content_type="application/json")
        assert envelope_of(response, 400)["code"] == "too_deep"
    nested = '{"a":' * depth + "1" + "}" * depth
    response = client.patch("/api/v1/achievements/1/", nested, content_type="application/json")
    assert response.status_code in {400, 404}
    assert set(response.json()) == {"code", "message", "fields"}


def test_depth_check_is_iterative():
    from techmarket.core.api.parsers import depth_exceeds

    deep: list = []
    for _level in range(100_000):
        deep = [deep]
    assert depth_exceeds(deep)
    assert not depth_exceeds({"persons": [{"name": "x", "tags": ["a"]}]})
