from __future__ import annotations

from rest_framework import serializers

from techmarket.core.api.serializers import ReasonSerializer
from techmarket.matching import selectors
from techmarket.matching.choices import RejectReason
from techmarket.matching.models import Suggestion


class MatchSuggestionSerializer(serializers.ModelSerializer):
    target_id = serializers.IntegerField(read_only=True)
    target_name = serializers.SerializerMethodField()
    reasons = ReasonSerializer(many=True, read_only=True)

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "demand",
            "kind",
            "target_id",
            "target_name",
            "rank",
            "score",
            "reasons",
            "origin",
            "state",
            "reject_reason",
            "note",
            "decided_at",
            "pushed_at",
        ]
        # The column's range, stated: drf-spectacular otherwise reads it from the connection, and the
        # committed OpenAPI document must not depend on the database it was generated against.
        extra_kwargs = {"rank": {"min_value": 0, "max_value": 32767}}

    def get_target_name(self, suggestion: Suggestion) -> str:
        return selectors.target_label(suggestion)


class DecisionSerializer(serializers.Serializer):
    reject_reason = serializers.ChoiceField(
        choices=RejectReason.choices, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReverseMatchSerializer(serializers.Serializer):
    demand_id = serializers.IntegerField(source="demand.pk")
    title = serializers.CharField(source="demand.title")
    score = serializers.FloatField()
    reasons = ReasonSerializer(many=True)
