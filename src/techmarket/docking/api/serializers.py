from __future__ import annotations

from rest_framework import serializers

from techmarket.accounts.policies import principal_of
from techmarket.docking import selectors
from techmarket.docking.choices import AnswerKind, DeclineReason
from techmarket.docking.models import PushRecipient, Response
from techmarket.docking.services import MAX_MESSAGE_CHARS


class OpenClockSerializer(serializers.Serializer):
    demand = serializers.IntegerField(source="clock.demand_id")
    title = serializers.CharField(source="clock.demand.title")
    region = serializers.CharField(source="clock.demand.region.name")
    state = serializers.CharField(source="clock.demand.state")
    started_at = serializers.DateTimeField(source="clock.started_at")
    hours = serializers.IntegerField(source="clock.hours")
    deadline = serializers.DateTimeField(source="clock.deadline")
    hours_left = serializers.FloatField()
    overdue = serializers.BooleanField()
    reminded_at = serializers.DateTimeField(source="clock.reminded_at", allow_null=True)
    escalated_at = serializers.DateTimeField(source="clock.escalated_at", allow_null=True)


class GroupStatsSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()
    median_hours = serializers.FloatField()
    within_share = serializers.FloatField(help_text="0–1: share answered within the demand's own hours.")


class DashboardSerializer(serializers.Serializer):
    open_count = serializers.IntegerField()
    overdue_count = serializers.IntegerField()
    open = OpenClockSerializer(many=True)
    overall = GroupStatsSerializer(allow_null=True)
    regions = GroupStatsSerializer(many=True)
    responders = GroupStatsSerializer(many=True)


class PushSerializer(serializers.ModelSerializer):
    demand = serializers.IntegerField(source="response.demand_id", read_only=True)
    demand_title = serializers.CharField(source="response.demand.title", read_only=True)
    demand_organisation = serializers.CharField(
        source="response.demand.owner_organisation.name", read_only=True
    )
    demand_region = serializers.CharField(source="response.demand.region.name", read_only=True)
    demand_problem = serializers.CharField(source="response.demand.problem", read_only=True)
    match_kind = serializers.CharField(source="suggestion.kind", read_only=True)
    match_name = serializers.SerializerMethodField()
    response_message = serializers.CharField(source="response.message", read_only=True)
    sent_at = serializers.DateTimeField(source="response.sent_at", read_only=True)

    class Meta:
        model = PushRecipient
        fields = [
            "id",
            "demand",
            "demand_title",
            "demand_organisation",
            "demand_region",
            "demand_problem",
            "match_kind",
            "match_name",
            "response_message",
            "sent_at",
            "answer",
            "decline_reason",
            "text",
            "answered_at",
        ]
        read_only_fields = fields

    def get_match_name(self, row: PushRecipient) -> str:
        """The reader's own matched profile, organisation or organisation's achievement ("" for a 受限
        achievement they may no longer see)."""
        request = self.context.get("request")
        return selectors.match_name(principal_of(getattr(request, "user", None)), row.suggestion)


class AnswerSerializer(serializers.Serializer):
    """Named as the answer's own fields, so the schema has one enum per choice set."""

    answer = serializers.ChoiceField(choices=AnswerKind.choices)
    decline_reason = serializers.ChoiceField(
        choices=DeclineReason.choices, required=False, allow_blank=True, default=""
    )
    message = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_MESSAGE_CHARS
    )


class PushRequestSerializer(serializers.Serializer):
    message = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_MESSAGE_CHARS
    )


class PushedResponseSerializer(serializers.ModelSerializer):
    sent_by = serializers.CharField(source="sent_by.username", read_only=True)

    class Meta:
        model = Response
        fields = ["id", "demand", "sent_by", "sent_at", "message"]
        read_only_fields = fields
