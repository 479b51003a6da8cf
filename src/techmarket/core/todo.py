"""The "my work" contract: what each domain app offers the to-do page (我的待办) of the top layer.

Every app that has work waiting for a person exposes ``selectors.todo_items(principal) -> list[TodoItem]``
and builds its items through its own visibility rules, so the page (``portal``) only arranges them and
can never show a 受限 record to someone outside its audience. An item costs a fixed number of queries (a
count and the few oldest rows), never one per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils.functional import Promise

from techmarket.core.models import AuditEvent

# How many rows an item lists before "all N" links to the app's own queue.
TODO_ROWS = 5


@dataclass(frozen=True)
class TodoRow:
    """One waiting record: its label, its page and a short note (where it waits, a reason, time left)."""

    label: str | Promise
    url: str
    note: str | Promise = ""
    urgent: bool = False


@dataclass(frozen=True)
class TodoItem:
    """One kind of work waiting for the person: a heading, how many, where the full list is, the oldest few.

    ``actionable`` items count towards the navigation badge (the person must act); the others only inform
    (e.g. records under review, waiting for someone else).
    """

    key: str
    title: str | Promise
    count: int
    url: str = ""
    rows: tuple[TodoRow, ...] = field(default_factory=tuple)
    actionable: bool = True
    urgent: bool = False
    note: str | Promise = ""


def count_and_first(queryset: QuerySet[Any], limit: int = TODO_ROWS) -> tuple[int, list[Any]]:
    """(how many, the first ``limit`` rows) of an ordered queryset, in two queries whatever its size."""
    first = list(queryset[:limit])
    return (len(first) if len(first) < limit else queryset.count()), first


def latest_reasons(model: type[models.Model], ids: Iterable[Any], to_state: str) -> dict[str, str]:
    """The reason of the latest transition into ``to_state`` of each record of ``ids`` (one query): the
    return reason a filer must address, read from the audit log."""
    wanted = [str(pk) for pk in ids]
    if not wanted:
        return {}
    label = f"{model._meta.app_label}.{model._meta.model_name}"
    reasons: dict[str, str] = {}
    events = AuditEvent.objects.filter(target_type=label, target_id__in=wanted, to_state=to_state).order_by(
        "created_at", "id"
    )
    for target_id, reason in events.values_list("target_id", "reason"):
        reasons[target_id] = reason
    return reasons
