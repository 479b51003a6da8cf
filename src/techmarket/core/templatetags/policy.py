"""Policies in templates: links and buttons appear exactly when the caller may use them.

``{% load policy %}`` then

- ``{% can "achievements.can_edit" achievement as may_edit %}`` — any function registered with
  ``core.policy_registry.policy``, called with the caller's principal and the further arguments;
- ``{% can_fire demand "close_solved" as may_close %}`` — one transition of the object's workflow;
- ``{% transitions achievement as available %}`` — the transitions the caller may fire now.

The principal is the request user's (``accounts.policies.principal_of`` through
``core.principals``); without a request (e-mails) it is the anonymous visitor. Templates never read
role names: the rule lives in the app's ``policies.py``, in one place.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django import template
from django.db import models

from techmarket.core import policy_registry, principals
from techmarket.core.workflow import REGISTRY, Transition, Workflow, autodiscover

register = template.Library()


def _user(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@cache
def _load_workflows() -> None:
    """Every app's workflow modules register their workflows on import; import them all once."""
    autodiscover()


def _workflow_of(obj: models.Model) -> Workflow[Any] | None:
    _load_workflows()
    return next((wf for wf in REGISTRY.values() if wf.model is not None and isinstance(obj, wf.model)), None)


@register.simple_tag(takes_context=True)
def can(context: template.Context, name: str, *args: Any) -> bool:
    """Whether the caller passes the registered policy ``name`` (called as ``policy(principal, *args)``)."""
    return bool(policy_registry.get(name)(principals.principal_of(_user(context)), *args))


@register.simple_tag(takes_context=True)
def can_fire(context: template.Context, obj: models.Model, name: str) -> bool:
    """Whether the caller may fire transition ``name`` on ``obj`` now (state and permission)."""
    workflow = _workflow_of(obj)
    return workflow is not None and workflow.is_allowed(obj, name, _user(context))


@register.simple_tag(takes_context=True)
def transitions(context: template.Context, obj: models.Model) -> list[Transition]:
    """The transitions of ``obj``'s workflow the caller may fire now, in declaration order."""
    workflow = _workflow_of(obj)
    return workflow.available(obj, _user(context)) if workflow is not None else []
