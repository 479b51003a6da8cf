"""The policy functions templates may ask, by name: ``"<app>.<function>"``, e.g. ``"achievements.can_edit"``.

Each app marks the functions of its ``policies.py`` that pages ask with :func:`policy`; the
``{% can %}`` tag (core/templatetags/policy.py) calls them with the caller's principal first. Only
marked functions are reachable, so a template cannot call a helper that was never meant as a rule,
and every name a template uses is checked against this registry by a test.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from django.utils.module_loading import autodiscover_modules

PolicyFunction = Callable[..., bool]
F = TypeVar("F", bound=PolicyFunction)

_POLICIES: dict[str, PolicyFunction] = {}


def policy_name(function: Callable[..., Any]) -> str:
    """``techmarket.<app>.policies.<name>`` → ``<app>.<name>``."""
    parts = function.__module__.split(".")
    if len(parts) < 2 or parts[-1] != "policies":
        raise ValueError(f"{function.__module__}.{function.__qualname__} is not in an app's policies.py")
    return f"{parts[-2]}.{function.__name__}"


def policy(function: F) -> F:
    """Expose a policy function to templates; its first parameter is the principal."""
    name = policy_name(function)
    existing = _POLICIES.get(name)
    if existing is not None and existing is not function:
        raise ValueError(f"policy {name} registered twice")
    _POLICIES[name] = function
    return function


@cache
def _discover() -> None:
    """Import every app's policies.py once, so their @policy marks have run."""
    autodiscover_modules("policies")


def get(name: str) -> PolicyFunction:
    """The registered policy called ``name``; KeyError when no app registered it."""
    _discover()
    try:
        return _POLICIES[name]
    except KeyError:
        raise KeyError(f"unknown policy {name!r}; mark it with @policy in the app's policies.py") from None


def names() -> list[str]:
    _discover()
    return sorted(_POLICIES)
