from rest_framework import serializers

from techmarket.notifications.choices import NoticeGroup
from techmarket.notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "data", "created_at", "read_at", "is_read"]
        read_only_fields = fields


class ReadAllSerializer(serializers.Serializer):
    updated = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    """One group of notices and its channels; the in-app message is always on."""

    group = serializers.ChoiceField(choices=NoticeGroup.choices, read_only=True)
    name = serializers.CharField(source="label", read_only=True)
    in_app = serializers.BooleanField(read_only=True, default=True)
    email = serializers.BooleanField(read_only=True)
    sms = serializers.BooleanField(read_only=True)


class PreferenceChangeSerializer(serializers.Serializer):
    """A group's new channels; a channel left out keeps its setting."""

    group = serializers.ChoiceField(choices=NoticeGroup.choices)
    email = serializers.BooleanField(required=False)
    sms = serializers.BooleanField(required=False)
