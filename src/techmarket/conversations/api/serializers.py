from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from techmarket.conversations.choices import Side
from techmarket.conversations.models import Message, MessageAttachment, Participant, Thread
from techmarket.conversations.services import MAX_BODY_CHARS


class ThreadSerializer(serializers.ModelSerializer):
    unread = serializers.IntegerField(
        read_only=True, help_text="The others' messages the caller has not read."
    )

    class Meta:
        model = Thread
        fields = ["id", "subject_kind", "subject_id", "title", "created_at", "last_message_at", "unread"]
        read_only_fields = fields


class ParticipantSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    side = serializers.ChoiceField(choices=Side.choices, read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True, allow_null=True)

    class Meta:
        model = Participant
        fields = ["user", "name", "side", "organisation", "joined_at"]
        read_only_fields = fields

    def get_name(self, participant: Participant) -> str:
        return str(participant.user.display_name or participant.user.username)


class ThreadDetailSerializer(ThreadSerializer):
    participants = ParticipantSerializer(many=True, read_only=True)

    class Meta(ThreadSerializer.Meta):
        fields = [*ThreadSerializer.Meta.fields, "participants"]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = MessageAttachment
        fields = ["id", "original_name", "content_type", "size", "url"]
        read_only_fields = fields

    def get_url(self, attachment: MessageAttachment) -> str:
        """Where a participant downloads it (the API's own download, participants only)."""
        return reverse(
            "api:conversation-thread-attachment",
            kwargs={"pk": attachment.message.thread_id, "attachment_id": attachment.pk},
        )


class MessageSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "author", "author_name", "body", "created_at", "attachments"]
        read_only_fields = fields

    def get_author_name(self, message: Message) -> str:
        return str(message.author.display_name or message.author.username)


class MessageRequestSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_BODY_CHARS)
    file = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text="PDF, images, Office documents.",
    )

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "getlist"):  # multipart: several files under one name
            data = {"body": data.get("body", ""), "file": data.getlist("file")}
        return super().to_internal_value(data)


class ReadSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text="How many messages were unread.")
