from typing import Any

from django.http import HttpRequest

from techmarket.accounts.policies import principal_of


def principal(request: HttpRequest) -> dict[str, Any]:
    """The caller's Principal for templates (menus show only what the caller may do)."""
    return {"principal": principal_of(getattr(request, "user", None))}
