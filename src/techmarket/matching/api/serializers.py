from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from techmarket.accounts.policies import principal_of
from techmarket.core.api.serializers import ReasonSerializer
from techmarket.matching import selectors
from techmarket.matching.choices import RejectReason
from techmarket.matching.models import Suggestion


class ReasonTextSerializer(ReasonSerializer):
    """A reason as stored (codes in ``value``) and in words, in the request's language."""

    label = serializers.CharField(  # type: ignore[assignment]  # a reason's "label", not Field.label
        read_only=True, help_text="What the reason is about, e.g. 地域 / Location."
    )
    text = serializers.CharField(
        read_only=True, allow_blank=True, help_text="The value in words: names instead of codes."
    )
    fits = serializers.BooleanField(read_only=True, help_text="False when the reason counts against.")


class TradeSerializer(serializers.Serializer):
    """The suggested achievement's listing as the caller may read it (mode and price empty when not)."""

    listing = serializers.IntegerField(read_only=True)
    state = serializers.CharField(read_only=True, help_text="The listing's state (trading.ListingState).")
    tradable = serializers.BooleanField(read_only=True, help_text="Open for trading now (not in notice).")
    status = serializers.CharField(read_only=True, help_text="E.g. 已挂牌 · 可议价 / Listed · negotiable.")
    mode = serializers.CharField(read_only=True, allow_blank=True)
    price = serializers.DecimalField(
        read_only=True, max_digits=14, decimal_places=2, allow_null=True, help_text="万元."
    )
    price_label = serializers.CharField(read_only=True, allow_blank=True)
    url = serializers.CharField(read_only=True, allow_blank=True)


class MatchSuggestionSerializer(serializers.ModelSerializer):
    target_id = serializers.IntegerField(read_only=True)
    trade = serializers.SerializerMethodField()
    target_name = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()
    level = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        min_value=0,
        max_value=100,
        help_text="Match level 0–100 shown to people (score relative to the best possible for the "
        "demand); null for a match added by hand.",
    )

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
            "level",
            "reasons",
            "trade",
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

    @extend_schema_field(TradeSerializer(allow_null=True))
    def get_trade(self, suggestion: Suggestion) -> dict[str, Any] | None:
        if not hasattr(suggestion, "trade"):
            request = self.context.get("request")
            viewer = principal_of(request.user if request is not None else None)
            selectors.with_trade([suggestion], viewer)
        badge = suggestion.trade  # type: ignore[attr-defined]
        return None if badge is None else badge.as_dict()

    @extend_schema_field(ReasonTextSerializer(many=True))
    def get_reasons(self, suggestion: Suggestion) -> list[dict[str, Any]]:
        described = getattr(suggestion, "display_reasons", None)
        if described is None:
            described = selectors.with_words([suggestion])[0].display_reasons  # type: ignore[attr-defined]
        return list(ReasonTextSerializer(described, many=True).data)


class DecisionSerializer(serializers.Serializer):
    reject_reason = serializers.ChoiceField(
        choices=RejectReason.choices, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReverseMatchSerializer(serializers.Serializer):
    demand_id = serializers.IntegerField(source="demand.pk")
    title = serializers.CharField(source="demand.title")
    score = serializers.FloatField()
    level = serializers.IntegerField(allow_null=True, min_value=0, max_value=100)
    reasons = ReasonTextSerializer(many=True)


class ListingAlertSerializer(serializers.Serializer):
    """A demand's 新挂牌匹配提醒: whether its enterprise is told of new listings that match it."""

    demand = serializers.IntegerField(read_only=True)
    enabled = serializers.BooleanField()
