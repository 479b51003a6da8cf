"""The acting user of a request, typed and guarded, for views and API views that call services."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request

from techmarket.accounts.models import User
from techmarket.core.errors import NotPermitted


def acting_user(request: HttpRequest | Request) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotPermitted()
    return user
