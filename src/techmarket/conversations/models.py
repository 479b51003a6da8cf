"""对接对话: a thread about one record (a demand, an achievement, later a listing on the trading floor)
between the side that needs and one party that offers, its participants, its messages and attachments.

A thread names its subject generically (``subject_kind`` + ``subject_id``, e.g. ``demands.demand`` 12):
the app that owns the record opens threads about it and registers the kind (``conversations.subjects``),
so this app imports no domain app. One thread per (subject, party); messages are append-only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from techmarket.conversations.choices import Side


class Thread(models.Model):
    subject_kind = models.CharField(_("对话主题类型"), max_length=40)
    subject_id = models.PositiveBigIntegerField(_("对话主题编号"))
    # The offering party: "org:<organisation id>" or, for a person without an organisation, "user:<id>".
    party_key = models.CharField(_("对接方"), max_length=40)
    title = models.CharField(_("主题"), max_length=200)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("最新消息时间"), null=True, blank=True, db_index=True)

    # Who takes part, when a selector read the participants with the thread (policies use it).
    participant_ids: frozenset[int] | None = None

    class Meta:
        ordering = ["-last_message_at", "-id"]
        verbose_name = _("对接对话")
        verbose_name_plural = _("对接对话")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id", "party_key"], name="conversation_thread_unique"
            )
        ]
        indexes = [models.Index(fields=["subject_kind", "subject_id"])]

    def __str__(self) -> str:
        return self.title

    def side_label(self, side: str) -> str:
        """The people of one side as one line: their organisations, or their names where they have none
        (reads the participants, prefetched by the selectors)."""
        names: list[str] = []
        for participant in self.participants.all():
            if participant.side != side:
                continue
            user = participant.user
            name = (
                participant.organisation.name
                if participant.organisation
                else user.display_name or user.username
            )
            if name not in names:
                names.append(name)
        return pgettext("列表分隔符", "、").join(names)

    @property
    def provider_label(self) -> str:
        return self.side_label(Side.PROVIDER)

    @property
    def enterprise_label(self) -> str:
        return self.side_label(Side.ENTERPRISE)

    @property
    def parties_label(self) -> str:
        """需求方 ↔ 供给方, for a list of threads."""
        return f"{self.enterprise_label} ↔ {self.provider_label}"


class Participant(models.Model):
    """A person in a thread, on one side, with the organisation they spoke for and how far they read."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("参与人"), on_delete=models.CASCADE, related_name="+"
    )
    side = models.CharField(_("角色"), max_length=16, choices=Side.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    joined_at = models.DateTimeField(_("加入时间"), auto_now_add=True)
    # Messages up to this id are read; the unread count is the others' messages after it.
    last_read_message_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["thread_id", "id"]
        verbose_name = _("对话参与人")
        verbose_name_plural = _("对话参与人")
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="conversation_participant_unique")
        ]
        indexes = [models.Index(fields=["user", "thread"])]

    def __str__(self) -> str:
        return f"{self.thread_id} · {self.user_id} ({self.side})"


class Message(models.Model):
    """One message: written once, never edited or deleted."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发言人"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("对话消息")
        verbose_name_plural = _("对话消息")

    def __str__(self) -> str:
        return f"{self.thread_id} #{self.pk}"


def attachment_path(instance: MessageAttachment, filename: str) -> str:
    """Stored under an unguessable name (served only through the participants' view, never as media)."""
    return f"conversations/{instance.message.thread_id}/{uuid.uuid4().hex}"


class MessageAttachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("对话附件")
        verbose_name_plural = _("对话附件")

    def __str__(self) -> str:
        return self.original_name
