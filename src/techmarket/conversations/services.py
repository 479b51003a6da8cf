"""Writes of conversations: opening a thread (once per subject and party), posting messages with
attachments, read markers and a broker joining.

``thread_open`` is the building block of the apps that own subjects: *they* decide who may open a
thread about their record and who the two sides are (``demands.services.demand_conversation_open``,
``achievements.services.achievement_conversation_open``); this app guarantees that the actor is one of
the participants, that a (subject, party) pair has one thread, and that only participants read and
write in it. Every change writes an audit event in its transaction; the other participants are notified
of a new message (in-app now, e-mail/SMS after commit, as each chose in 通知设置).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import User
from techmarket.conversations import policies, selectors
from techmarket.conversations.choices import Side
from techmarket.conversations.models import Message, MessageAttachment, Participant, Thread
from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.files import DOCUMENTS, check_upload, safe_name
from techmarket.notifications.services import in_platform_language, notify_each

MAX_BODY_CHARS = 5000
MAX_FILES = 5
EXCERPT_CHARS = 200


def party_key_of(user: User) -> str:
    """How a party is named in a thread's key: its organisation, or the person without one."""
    return f"org:{user.organisation_id}" if user.organisation_id else f"user:{user.pk}"


def _add(thread: Thread, user: User, side: str) -> Participant | None:
    """Add one active user on a side (None if already in the thread, or inactive)."""
    if not user.is_active:
        return None
    participant, created = Participant.objects.get_or_create(
        thread=thread, user=user, defaults={"side": side, "organisation_id": user.organisation_id}
    )
    return participant if created else None


@in_platform_language
def thread_open(
    *,
    actor: User,
    subject_kind: str,
    subject_id: int,
    title: str,
    party_key: str,
    enterprise: Iterable[User],
    provider: Iterable[User],
    body: str = "",
    notify_others: bool = True,
) -> tuple[Thread, bool]:
    """The thread about ``subject`` with ``party_key``, opened if it does not exist; (thread, created).

    ``enterprise`` and ``provider`` are the people of each side, as the subject's app names them; those
    not yet in the thread are added (an organisation's new administrator joins its existing thread).
    The actor must be one of them. A ``body`` is posted as the actor's message (``notify_others`` False
    when the caller tells the other side itself, e.g. docking's notice of an answer).
    """
    sides = [(user, Side.ENTERPRISE) for user in enterprise] + [(user, Side.PROVIDER) for user in provider]
    if actor.pk not in {user.pk for user, _side in sides}:
        raise NotPermitted(_("只有对话双方可以发起对接对话。"))
    with transaction.atomic():
        thread = (
            Thread.objects.select_for_update()
            .filter(subject_kind=subject_kind, subject_id=subject_id, party_key=party_key)
            .first()
        )
        created = thread is None
        if thread is None:
            try:
                with transaction.atomic():
                    thread = Thread.objects.create(
                        subject_kind=subject_kind,
                        subject_id=subject_id,
                        party_key=party_key,
                        title=title[:200],
                        started_by=actor,
                    )
            except IntegrityError:  # opened by someone else meanwhile: use theirs
                created = False
                thread = Thread.objects.select_for_update().get(
                    subject_kind=subject_kind, subject_id=subject_id, party_key=party_key
                )
            else:
                record_event(
                    actor=actor,
                    action="conversations.thread.open",
                    target=thread,
                    data={"subject": f"{subject_kind}:{subject_id}", "party": party_key},
                )
        added = [p for p in (_add(thread, user, side) for user, side in sides) if p is not None]
        if added:
            record_event(
                actor=actor,
                action="conversations.thread.add_participants",
                target=thread,
                data={"participants": [[p.user_id, p.side] for p in added]},
            )
        if body.strip():
            message_post(actor=actor, thread=thread, body=body, notify_others=notify_others)
    return thread, created


@in_platform_language
def message_post(
    *,
    actor: User,
    thread: Thread,
    body: str,
    files: Sequence[UploadedFile] = (),
    notify_others: bool = True,
) -> Message:
    """A participant writes in the thread (text, attachments or both); the others are notified."""
    principal = principal_of(actor)
    if not policies.can_post(principal, thread):
        raise NotPermitted(_("只有对话参与人可以发言。"))
    text = (body or "").strip()
    errors: dict[str, list[Any]] = {}
    if not text and not files:
        errors["body"] = [_("请填写消息内容或添加附件。")]
    if len(text) > MAX_BODY_CHARS:
        errors["body"] = [_("最多%(count)d个字。") % {"count": MAX_BODY_CHARS}]
    if len(files) > MAX_FILES:
        errors["file"] = [_("一次最多上传 %(count)d 个附件。") % {"count": MAX_FILES}]
    if errors:
        raise DomainError("invalid", _("消息有误，请检查标出的字段。"), fields=errors)
    kinds = [
        check_upload(upload, kinds=DOCUMENTS, max_bytes=settings.TECHMARKET["MAX_ATTACHMENT_BYTES"])
        for upload in files
    ]
    now = timezone.now()
    with transaction.atomic():
        locked = Thread.objects.select_for_update().get(pk=thread.pk)
        message = Message.objects.create(thread=locked, author=actor, body=text)
        names = []
        for upload, kind in zip(files, kinds, strict=True):
            name = safe_name(upload.name)
            attachment = MessageAttachment(
                message=message, original_name=name, content_type=kind.content_type, size=upload.size or 0
            )
            attachment.file.save(name, upload, save=False)
            attachment.save()
            names.append(name)
        locked.last_message_at = now
        locked.save(update_fields=["last_message_at"])
        Participant.objects.filter(thread=locked, user=actor).update(last_read_message_id=message.pk)
        record_event(
            actor=actor,
            action="conversations.message.post",
            target=locked,
            data={"message": message.pk, "attachments": names},
        )
        if notify_others:
            _notify_message(locked, message, actor)
    return message


def _notify_message(thread: Thread, message: Message, actor: User) -> None:
    others = [
        p.user for p in Participant.objects.filter(thread=thread).exclude(user=actor).select_related("user")
    ]
    who = actor.display_name or actor.username
    if actor.organisation_id and actor.organisation is not None:
        who = f"{who}（{actor.organisation.name}）"
    excerpt = message.body[:EXCERPT_CHARS] or _("（附件）")
    notify_each(
        others,
        actor=actor,
        kind="conversation.message",
        title=_("对接对话有新消息：%(title)s") % {"title": thread.title},
        body=_("%(who)s：%(text)s") % {"who": who, "text": excerpt},
        link=selectors.thread_url(thread),
        data={"thread": thread.pk, "message": message.pk},
    )


def thread_mark_read(*, actor: User, thread: Thread) -> int:
    """Mark every message of the thread read for the actor; returns how many were unread."""
    principal = principal_of(actor)
    if not policies.can_view(principal, thread):
        raise NotPermitted()
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(thread=thread, user=actor)
        latest = Message.objects.filter(thread=thread).aggregate(latest=Max("id"))["latest"] or 0
        if latest <= participant.last_read_message_id:
            return 0
        unread = (
            Message.objects.filter(thread=thread, id__gt=participant.last_read_message_id)
            .exclude(author=actor)
            .count()
        )
        before = participant.last_read_message_id
        participant.last_read_message_id = latest
        participant.save(update_fields=["last_read_message_id"])
        record_event(
            actor=actor,
            action="conversations.thread.read",
            target=thread,
            data={"from_message": before, "to_message": latest},
        )
    return unread


def thread_join(*, actor: User, thread: Thread) -> Participant:
    """Someone the subject's app lets join (the broker handling the demand) joins the thread."""
    if not policies.can_join(principal_of(actor), thread):
        raise NotPermitted(_("您不能加入这个对话。"))
    with transaction.atomic():
        participant = _add(thread, actor, Side.BROKER)
        if participant is None:
            raise DomainError("already", _("您已在这个对话中。"))
        record_event(
            actor=actor,
            action="conversations.thread.join",
            target=thread,
            data={"side": Side.BROKER},
        )
    return participant
