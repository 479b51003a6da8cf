"""Signed-in sessions end after a period without requests, after an absolute lifetime, and when their owner
logs out of all sessions."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.policies import principal_of, two_factor_required

STARTED = "techmarket_auth_started"
SEEN = "techmarket_auth_seen"
# Writing the last-seen time on every request would save the session on every page; a minute's precision
# is plenty for an idle timeout measured in tens of minutes.
SEEN_PRECISION_SECONDS = 60


def session_expired(started: float, seen: float, now: float, revoked_at: float | None) -> bool:
    """Whether a session begun at ``started`` and last used at ``seen`` (epoch seconds) has ended by ``now``."""
    limits = settings.TECHMARKET
    if now - seen > limits["SESSION_IDLE_SECONDS"] or now - started > limits["SESSION_MAX_SECONDS"]:
        return True
    return revoked_at is not None and started <= revoked_at


class SessionTimeoutMiddleware:
    """Logs a signed-in user out when the session is idle too long, too old, or revoked; stamps it otherwise."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            session = request.session
            now = timezone.now().timestamp()
            owner = f"{user.pk}:"
            started_value = str(session.get(STARTED, ""))
            if not started_value.startswith(owner):
                # A session from before these stamps existed: its lifetime starts now.
                self.stamp(request)
            else:
                started = float(started_value.removeprefix(owner))
                seen = float(session.get(SEEN, started))
                revoked = user.sessions_revoked_at.timestamp() if user.sessions_revoked_at else None
                if session_expired(started, seen, now, revoked):
                    logout(request)
                    if not request.path.startswith("/api/"):
                        messages.info(request, _("登录已超时或已在别处退出，请重新登录。"))
                elif now - seen >= SEEN_PRECISION_SECONDS:
                    session[SEEN] = now
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and hasattr(request, "session")
            and not str(request.session.get(STARTED, "")).startswith(f"{user.pk}:")
        ):
            # The view just signed the user in: the session's lifetime starts now.
            self.stamp(request)
        return response

    @staticmethod
    def stamp(request: HttpRequest) -> None:
        now = timezone.now().timestamp()
        request.session[STARTED] = f"{request.user.pk}:{now}"
        request.session[SEEN] = now


# The second step of a sign-in (accounts.views): the user who passed the password step, waiting for a code,
# and, once signed in, the mark that this session's user passed the second factor.
TWO_FACTOR_PENDING = "techmarket_2fa_pending"
TWO_FACTOR_VERIFIED = "techmarket_2fa_user"


class TwoFactorMiddleware:
    """Ends a session whose user must use a second factor (TECHMARKET_2FA_ROLES) but did not pass one in it.

    The sign-in pages only log such a user in after the code, so this catches what they cannot: a role
    granted to someone already signed in, a session from before two-factor sign-in was switched on, any
    other way into ``login()`` (Django's admin login page). Fail closed: the session ends.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.TECHMARKET["TWO_FACTOR_ROLES"]
            and user is not None
            and user.is_authenticated
            and hasattr(request, "session")
            and request.session.get(TWO_FACTOR_VERIFIED) != user.pk
            and two_factor_required(principal_of(user))
        ):
            logout(request)
            if not request.path.startswith("/api/"):
                messages.info(request, _("此账号需要两步验证，请重新登录。"))
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
