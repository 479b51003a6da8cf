"""``Idempotency-Key`` on the API's create endpoints: a retried POST gets the first result, not a duplicate.

A client that sends ``Idempotency-Key: <any unique string>`` with a POST and retries it (a timeout, a lost
answer) with the same key gets the object the first request created, with the first answer's status and
``Idempotent-Replayed: true``; nothing new is created, whatever the retry's body. Keys belong to the
caller and the endpoint: another user's or another endpoint's identical key is a different key.

The key is claimed like a web form's one-time key (``core.services.claim_submission``) in the creating
service's transaction, and the service's audit event records it, so the first result is found in the
audit log. While the first request is still running, a retry answers 409 and may be sent again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from techmarket.core.audit import submission_target_id
from techmarket.core.errors import DomainError

HEADER = "Idempotency-Key"
MAX_LENGTH = 255


class IdempotencyConflict(DomainError):
    status = 409

    def __init__(self) -> None:
        super().__init__("idempotency_conflict", _("使用同一 Idempotency-Key 的请求正在处理中，请稍后重试。"))


def key_of(request: Request, scope: str) -> str:
    """The stored form of the request's key for this caller and endpoint (``scope``), or "" without one."""
    raw = request.headers.get(HEADER, "")
    if not raw:
        return ""
    if len(raw) > MAX_LENGTH or not raw.isprintable():
        raise DomainError(
            "invalid_idempotency_key",
            _("Idempotency-Key 请求头应为不超过 255 个可打印字符的字符串。"),
            fields={HEADER: [_("格式不正确。")]},
        )
    digest = hashlib.sha256(f"{request.user.pk}\0{scope}\0{raw}".encode()).hexdigest()
    return "api:" + digest[:60]


def create_once(
    request: Request,
    *,
    action: str,
    create: Callable[[str], Any],
    present: Callable[[str], Response],
) -> Response:
    """Run ``create(submission_key)`` unless this key already created something; answer ``present(id)``.

    ``action`` is the audit action the creating service records (with ``data["submission_key"]``).
    """
    key = key_of(request, action)
    previous = submission_target_id(action=action, actor=request.user, submission_key=key)
    if previous is not None:
        return _replayed(present(previous))
    try:
        created = create(key)
    except DomainError as error:
        if not key or error.code != "duplicate_submission":
            raise
        previous = submission_target_id(action=action, actor=request.user, submission_key=key)
        if previous is None:
            raise IdempotencyConflict() from error
        return _replayed(present(previous))
    return present(str(created.pk))


def _replayed(response: Response) -> Response:
    response["Idempotent-Replayed"] = "true"
    return response


# For ``extend_schema(parameters=[...])`` of the endpoints that honour the header.
SCHEMA_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=_("可选：客户端生成的唯一字符串。用同一值重试时返回第一次创建的结果，不会重复创建。"),
)
