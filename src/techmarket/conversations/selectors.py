"""Reads of conversations: a person's threads with their unread counts, one thread, its messages.

Every read a page or the API makes starts from ``policies.visible_q`` (participants only). The one
system read, :func:`threads_on`, serves the subject's own app, which decides who may see that list
(the broker handling a demand, before joining one of its threads).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts.policies import Principal
from techmarket.conversations import policies
from techmarket.conversations.models import Message, MessageAttachment, Participant, Thread
from techmarket.core.errors import NotFound
from techmarket.core.todo import TodoItem, TodoRow, count_and_first

MAX_ID = 2**63 - 1


def parse_id(value: Any) -> int:
    """A record id from a URL or form; anything that cannot be one is NotFound."""
    try:
        number = int(value)
    except (ValueError, TypeError):
        raise NotFound() from None
    if not 0 < number <= MAX_ID:
        raise NotFound()
    return number


def with_unread(queryset: QuerySet[Thread], principal: Principal) -> QuerySet[Thread]:
    """Threads annotated with ``unread``: the others' messages after the principal's read marker."""
    user_id = principal.user_id or 0
    marker = Participant.objects.filter(thread_id=OuterRef("pk"), user_id=user_id).values(
        "last_read_message_id"
    )[:1]
    return queryset.annotate(read_upto=Subquery(marker)).annotate(
        unread=Count(
            "messages",
            filter=Q(messages__id__gt=F("read_upto")) & ~Q(messages__author_id=user_id),
        )
    )


def threads_of(principal: Principal) -> QuerySet[Thread]:
    """The principal's threads, the latest activity first, each with its unread count."""
    queryset = Thread.objects.filter(policies.visible_q(principal))
    return with_unread(queryset, principal).order_by(F("last_message_at").desc(nulls_last=True), "-pk")


def thread_list(principal: Principal) -> QuerySet[Thread]:
    """The principal's threads for their list page: with the participants, to name both sides."""
    return threads_of(principal).prefetch_related(_participants())


def unread_threads(principal: Principal) -> QuerySet[Thread]:
    """The principal's threads with messages they have not read, the oldest waiting first."""
    return threads_of(principal).filter(Q(unread__gt=0)).order_by("last_message_at", "pk")


def unread_count(principal: Principal) -> int:
    """How many of the principal's threads have unread messages (the navigation badge)."""
    if principal.user_id is None:
        return 0
    return unread_threads(principal).count()


def _participants() -> Prefetch[Any]:
    return Prefetch(
        "participants", queryset=Participant.objects.select_related("user", "organisation").order_by("id")
    )


def thread_get(principal: Principal, pk: Any) -> Thread:
    """One of the principal's threads, with its participants; anyone else's is NotFound."""
    thread = (
        with_unread(Thread.objects.filter(policies.visible_q(principal)), principal)
        .prefetch_related(_participants())
        .filter(pk=parse_id(pk))
        .first()
    )
    if thread is None:
        raise NotFound()
    thread.participant_ids = frozenset(p.user_id for p in thread.participants.all())
    return thread


def thread_to_join(principal: Principal, pk: Any) -> Thread:
    """A thread the principal may join (and is not in yet); any other is NotFound, so a thread the
    principal has no business with cannot be told apart from one that does not exist."""
    thread = Thread.objects.prefetch_related(_participants()).filter(pk=parse_id(pk)).first()
    if thread is None:
        raise NotFound()
    thread.participant_ids = frozenset(p.user_id for p in thread.participants.all())
    if not policies.can_join(principal, thread):
        raise NotFound()
    return thread


def messages_of(thread: Thread) -> QuerySet[Message]:
    """The thread's messages, oldest first, with their authors and attachments."""
    return (
        Message.objects.filter(thread=thread)
        .select_related("author__organisation")
        .prefetch_related("attachments")
        .order_by("id")
    )


def attachment_get(principal: Principal, thread_pk: Any, attachment_pk: Any) -> MessageAttachment:
    """An attachment of one of the principal's threads; anything else is NotFound."""
    thread = thread_get(principal, thread_pk)
    attachment = (
        MessageAttachment.objects.filter(pk=parse_id(attachment_pk), message__thread=thread)
        .select_related("message")
        .first()
    )
    if attachment is None:
        raise NotFound()
    return attachment


def thread_by_party(subject_kind: str, subject_id: int, party_key: str) -> Thread | None:
    """The thread about a subject with one party, if opened (system read for the subject's app)."""
    return Thread.objects.filter(
        subject_kind=subject_kind, subject_id=subject_id, party_key=party_key
    ).first()


def my_threads_on(principal: Principal, subject_kind: str, subject_ids: Iterable[int]) -> dict[int, Thread]:
    """The principal's own threads about these subjects, by subject id (the latest one where a person
    takes part in several), in one query."""
    ids = list(subject_ids)
    if principal.user_id is None or not ids:
        return {}
    rows = threads_of(principal).filter(subject_kind=subject_kind, subject_id__in=ids).order_by("-pk")
    found: dict[int, Thread] = {}
    for thread in rows:
        found.setdefault(thread.subject_id, thread)
    return found


def threads_about(principal: Principal, subject_kind: str, subject_id: int) -> QuerySet[Thread]:
    """The principal's own threads about one subject, with participants and unread counts."""
    return (
        threads_of(principal)
        .filter(subject_kind=subject_kind, subject_id=subject_id)
        .prefetch_related(_participants())
    )


def threads_on(subject_kind: str, subject_id: int) -> QuerySet[Thread]:
    """Every thread about one subject, with participants: a system read, for the subject's own app to
    show to someone it lets join (never to be listed to anyone else)."""
    return (
        Thread.objects.filter(subject_kind=subject_kind, subject_id=subject_id)
        .prefetch_related(_participants())
        .annotate(message_count=Count("messages"))
        .order_by("pk")
    )


def thread_url(thread: Thread) -> str:
    """The thread's page (participants only)."""
    return reverse("conversations:detail", args=[thread.pk])


# --- My work (the to-do page, core.todo) ------------------------------------------------------


def todo_items(principal: Principal) -> list[TodoItem]:
    """Threads with messages waiting for the principal's reading (or answer), the oldest first."""
    if principal.user_id is None:
        return []
    count, first = count_and_first(unread_threads(principal))
    if not count:
        return []
    rows = tuple(
        TodoRow(
            label=thread.title,
            url=thread_url(thread),
            note=_("%(count)d 条未读 · %(day)s")
            % {
                "count": thread.unread,
                "day": f"{timezone.localtime(thread.last_message_at):%Y-%m-%d %H:%M}"
                if thread.last_message_at
                else "",
            },
        )
        for thread in first
    )
    return [
        TodoItem(
            key="conversations.unread",
            title=_("有未读消息的对接对话"),
            count=count,
            url=reverse("conversations:list"),
            rows=rows,
        )
    ]
