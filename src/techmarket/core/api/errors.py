"""One error envelope for the whole API: ``{code, message, fields}`` in the caller's language."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from techmarket.core.errors import DomainError

MESSAGES = {
    "not_authenticated": lambda: _("请先登录。"),
    "authentication_failed": lambda: _("身份认证失败。"),
    "permission_denied": lambda: _("您没有执行此操作的权限。"),
    "not_found": lambda: _("记录不存在或您无权查看。"),
    "method_not_allowed": lambda: _("不支持该请求方法。"),
    "throttled": lambda: _("请求过于频繁，请稍后再试。"),
    "unsupported_media_type": lambda: _("不支持的请求格式。"),
    "parse_error": lambda: _("请求内容无法解析。"),
    "not_acceptable": lambda: _("无法提供所请求的格式。"),
    "too_deep": lambda: _("请求内容嵌套层级过深。"),
    "bad_request": lambda: _("请求有误。"),
    "server_error": lambda: _("服务器内部错误，请稍后再试。"),
}
# What Django's own error handlers answer under the API (a URL no route matches, an exception no view
# caught): the envelope's code for each status.
CODE_OF_STATUS = {400: "bad_request", 403: "permission_denied", 404: "not_found", 500: "server_error"}


def is_api_request(request: HttpRequest) -> bool:
    """Whether the request is for the REST API, which always answers JSON (errors included)."""
    return request.path_info.startswith("/api/")


def error_json(status_code: int) -> JsonResponse:
    """The error envelope outside DRF (Django's 400/403/404/500 handlers), in the active language."""
    code = CODE_OF_STATUS.get(status_code, "server_error")
    return JsonResponse({"code": code, "message": MESSAGES[code](), "fields": {}}, status=status_code)


def _flatten(detail: Any, name: str = "") -> dict[str, list[str]]:
    """Field errors as ``{field: [messages]}``; nested ones (list items, sub-objects) under dotted names
    such as ``persons.0.name``, so callers get readable messages instead of Python reprs."""
    if isinstance(detail, dict):
        items: Any = detail.items()
    elif isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        items = enumerate(detail)
    else:
        messages = detail if isinstance(detail, list) else [detail]
        return {name or "__all__": [force_str(m) for m in messages]} if messages else {}
    fields: dict[str, list[str]] = {}
    for key, value in items:
        for field, messages in _flatten(value, f"{name}.{key}" if name else str(key)).items():
            fields.setdefault(field, []).extend(messages)
    return fields


def envelope(
    code: str, message: str, fields: dict[str, list[str]] | None = None, status_code: int = 400
) -> Response:
    return Response({"code": code, "message": message, "fields": fields or {}}, status=status_code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        return envelope(
            "invalid",
            _("提交的数据有误，请检查标出的字段。"),
            _flatten(exc.detail),
            status.HTTP_400_BAD_REQUEST,
        )
    code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
    message = MESSAGES.get(str(code), lambda: force_str(exc.detail))()
    response.data = {"code": str(code), "message": message, "fields": {}}
    return response
