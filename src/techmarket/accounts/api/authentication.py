"""API token authentication that refuses expired and revoked tokens."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from techmarket.accounts import services


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>`` as before, for tokens issued by :func:`services.token_issue`."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = services.token_authenticate(key)
        if token is None:
            raise AuthenticationFailed(_("令牌无效、已过期或已撤销。"))
        return token.user, token
