"""Authentication with throttling of failed logins per username and client address."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils import timezone

from techmarket.accounts.models import LoginFailure


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def is_locked_out(username: str, address: str) -> bool:
    """Locked while one username failed too often from this address, or this address failed too often
    across all usernames (one machine trying many accounts)."""
    window = timezone.now() - timedelta(seconds=settings.TECHMARKET["LOGIN_LOCKOUT_SECONDS"])
    recent = LoginFailure.objects.filter(address=address, created_at__gte=window)
    if recent.filter(username=username).count() >= settings.TECHMARKET["LOGIN_FAILURE_LIMIT"]:
        return True
    return recent.count() >= settings.TECHMARKET["LOGIN_ADDRESS_FAILURE_LIMIT"]


class ThrottledModelBackend(ModelBackend):
    """Refuses every attempt (even a right password) while a username+address is locked out."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if not username:
            return None
        address = client_address(request)
        if is_locked_out(username, address):
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            LoginFailure.objects.create(username=username[:150], address=address)
        else:
            LoginFailure.objects.filter(username=username, address=address).delete()
        return user


# --- The second factor's own attempt limit ------------------------------------------------------------
# Its failures are LoginFailure rows under a key of their own, so a wrong code never counts against the
# password and a right password never clears the code's failures. Unlike passwords, the count is per
# account whatever the address: whoever reaches this step already has the password, and six digits must
# not be guessable from many machines at once.


def second_factor_key(username: str) -> str:
    return f"2fa:{username}"[:150]


def is_second_factor_locked(username: str, address: str) -> bool:
    window = timezone.now() - timedelta(seconds=settings.TECHMARKET["LOGIN_LOCKOUT_SECONDS"])
    recent = LoginFailure.objects.filter(created_at__gte=window)
    if (
        recent.filter(username=second_factor_key(username)).count()
        >= settings.TECHMARKET["LOGIN_FAILURE_LIMIT"]
    ):
        return True
    return recent.filter(address=address).count() >= settings.TECHMARKET["LOGIN_ADDRESS_FAILURE_LIMIT"]


def second_factor_failed(username: str, address: str) -> None:
    LoginFailure.objects.create(username=second_factor_key(username), address=address)


def second_factor_passed(username: str) -> None:
    LoginFailure.objects.filter(username=second_factor_key(username)).delete()
