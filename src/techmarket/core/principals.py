"""Who the caller is, as core sees it: a hook the accounts app fills in, so core never imports it.

Core owns mechanisms that need the caller's principal (the template policy tags, the region
service), but the principal itself is accounts' knowledge (roles, organisations, review scopes).
``AccountsConfig.ready`` registers ``accounts.policies.principal_of`` here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class CorePrincipal(Protocol):
    """The little core's own policies need to know about a principal."""

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_platform_admin(self) -> bool: ...


_resolver: Callable[[Any], Any] | None = None


def set_principal_resolver(resolver: Callable[[Any], Any]) -> None:
    """Called once by the accounts app: how a Django user (or None) becomes a principal."""
    global _resolver  # one process-wide hook, set once at start-up
    _resolver = resolver


def principal_of(user: Any) -> Any:
    """The principal of a user (AnonymousUser and None give the anonymous principal)."""
    if _resolver is None:
        raise RuntimeError("No principal resolver: is techmarket.accounts in INSTALLED_APPS?")
    return _resolver(user)
