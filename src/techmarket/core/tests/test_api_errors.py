"""One error envelope for the whole API: {code, message, fields}, whatever raised the error."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, serializers

from techmarket.core.api.errors import exception_handler
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
