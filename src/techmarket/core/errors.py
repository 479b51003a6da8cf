"""Domain errors: one exception type carrying a stable code, a translatable message and field errors.

Views show the message; the API answers ``{code, message, fields}`` (core.api.errors). Raising a
DomainError inside a service's transaction rolls the whole change back.
"""

from __future__ import annotations

from typing import Any

from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: Any, *, fields: dict[str, list[Any]] | None = None) -> None:
        super().__init__(force_str(message))
        self.code = code
        self.message = message
        self.fields = fields or {}

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": force_str(self.message),
            "fields": {name: [force_str(m) for m in messages] for name, messages in self.fields.items()},
        }


class NotPermitted(DomainError):
    status = 403

    def __init__(self, message: Any = None) -> None:
        super().__init__("permission_denied", message or _("您没有执行此操作的权限。"))


class NotFound(DomainError):
    status = 404

    def __init__(self, message: Any = None) -> None:
        super().__init__("not_found", message or _("记录不存在或您无权查看。"))


class InvalidTransition(DomainError):
    status = 409

    def __init__(self, message: Any) -> None:
        super().__init__("invalid_transition", message)
