"""Serializers of the subsidies API (read models; writes go through the services). The public ones carry
the public list's columns only; the trail is in the bureau's and the awarded organisation's."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from techmarket.subsidies.models import Award, Objection, PolicyVersion, SubsidyRun
from techmarket.subsidies.services import MAX_OBJECTION_DAYS, NOTE_MAX_CHARS, TEXT_MAX_CHARS

RUN_TRANSITIONS = ("check", "approve", "publish", "pay", "return", "reopen", "cancel", "recompute")


class PublicRunSerializer(serializers.ModelSerializer[SubsidyRun]):
    """A published run (奖补公示)."""

    year = serializers.IntegerField(read_only=True)
    award_count = serializers.IntegerField(read_only=True)
    objection_days = serializers.IntegerField(read_only=True)

    class Meta:
        model = SubsidyRun
        fields = [
            "id",
            "policy_id",
            "title",
            "region_code",
            "year",
            "state",
            "total",
            "award_count",
            "objection_days",
            "published_at",
            "objection_deadline",
            "paid_at",
        ]


class RunSerializer(PublicRunSerializer):
    """A run as its bureau sees it: every figure, who did what, the engine's account."""

    policy_version = serializers.IntegerField(source="policy_version.number", read_only=True)
    round = serializers.IntegerField(read_only=True)
    contract_count = serializers.IntegerField(read_only=True)

    class Meta(PublicRunSerializer.Meta):
        fields = [
            *PublicRunSerializer.Meta.fields,
            "policy_version",
            "round",
            "budget",
            "pool",
            "total_before_scaling",
            "scaling_factor",
            "contract_count",
            "computed_by",
            "computed_at",
            "checked_by",
            "checked_at",
            "approved_by",
            "approved_at",
            "details",
        ]


class PublicAwardSerializer(serializers.Serializer[Any]):
    """A row of the public list: organisation, region, rule and final award."""

    id = serializers.IntegerField()
    org_name = serializers.CharField()
    org_region = serializers.CharField()
    rule = serializers.CharField()
    rule_title = serializers.CharField()
    final_award = serializers.DecimalField(max_digits=16, decimal_places=2)


class AwardSerializer(serializers.ModelSerializer[Award]):
    """An award with its trail (the bureau; the awarded organisation once published)."""

    round = serializers.IntegerField(read_only=True)

    class Meta:
        model = Award
        fields = [
            "id",
            "run",
            "round",
            "org_id",
            "org_name",
            "org_region",
            "organisation",
            "rule",
            "rule_title",
            "base",
            "rate",
            "raw_award",
            "capped_award",
            "final_award",
            "trail",
            "paid_amount",
            "paid_at",
        ]


class RunComputeSerializer(serializers.Serializer[Any]):
    """A new run: amounts as text in yuan (the service answers a malformed one clearly)."""

    policy = serializers.CharField(max_length=64)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    budget = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    objection_days = serializers.IntegerField(min_value=1, max_value=MAX_OBJECTION_DAYS, default=7)


class RunTransitionSerializer(serializers.Serializer[Any]):
    transition = serializers.ChoiceField(choices=RUN_TRANSITIONS)
    reason = serializers.CharField(max_length=TEXT_MAX_CHARS, required=False, allow_blank=True, default="")
    budget = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    objection_days = serializers.IntegerField(min_value=1, max_value=MAX_OBJECTION_DAYS, required=False)


class SubsidyObjectionSerializer(serializers.ModelSerializer[Objection]):
    round = serializers.IntegerField(read_only=True)

    class Meta:
        model = Objection
        fields = ["id", "run", "award", "round", "text", "state", "reply", "created_at", "decided_at"]


class ObjectionFileSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=TEXT_MAX_CHARS)
    award = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class ObjectionDecideSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=("uphold", "dismiss"))
    reply = serializers.CharField(max_length=TEXT_MAX_CHARS)


class PolicyRowSerializer(serializers.Serializer[Any]):
    policy_id = serializers.CharField()
    title = serializers.CharField()
    region_code = serializers.CharField()
    latest_number = serializers.IntegerField(allow_null=True)
    shipped = serializers.BooleanField()


class PolicyVersionSerializer(serializers.ModelSerializer[PolicyVersion]):
    number = serializers.IntegerField(read_only=True)

    class Meta:
        model = PolicyVersion
        fields = [
            "id",
            "policy_id",
            "number",
            "title",
            "region_code",
            "document_version",
            "document",
            "note",
            "created_by",
            "created_at",
        ]


class PolicyWriteSerializer(serializers.Serializer[Any]):
    """A policy document (a JSON object) and a note on what changed."""

    document = serializers.JSONField()
    note = serializers.CharField(max_length=NOTE_MAX_CHARS, required=False, allow_blank=True, default="")
