"""What a thread is about: the kinds of record other apps open threads on, registered by those apps.

Conversations sits below the domain apps and imports none of them. An app that owns a record kind
(demands, achievements, later the trading floor) registers a :class:`SubjectKind` in its
``AppConfig.ready``: how the record is named and linked on the thread page, and who besides the
participants may join a thread about it (a broker handling a demand). The app also decides who may
*open* a thread, in its own service, before calling ``conversations.services.thread_open``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.policies import Principal


def _nobody(principal: Principal, subject_id: int) -> bool:
    return False


def _no_page(subject_id: int) -> str:
    return ""


@dataclass(frozen=True)
class SubjectKind:
    """One kind of record threads are opened on."""

    key: str  # "<app label>.<model name>", e.g. "demands.demand"
    label: str | Promise  # what the record is called: 技术需求, 科技成果
    url: Callable[[int], str] = field(default=_no_page)  # the record's own page
    # Who may join a thread about the record without being a party (e.g. the broker handling a demand).
    may_join: Callable[[Principal, int], bool] = field(default=_nobody)


_KINDS: dict[str, SubjectKind] = {}

UNKNOWN = SubjectKind(key="", label=_("记录"))


def register(kind: SubjectKind) -> None:
    """Register (or replace, e.g. on a reload) the description of one subject kind."""
    _KINDS[kind.key] = kind


def get(key: str) -> SubjectKind:
    """The registered kind, or a neutral one (no page, nobody joins) for a key nobody registered."""
    return _KINDS.get(key, UNKNOWN)
