from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from techmarket.achievements.choices import (
    AchievementAttribute,
    AchievementType,
    Confidentiality,
    EvaluationForm,
    FundingSource,
    PatentStatus,
    PatentType,
    PersonRole,
    TransferMode,
)
from techmarket.achievements.models import REFERENCE_PRICE_VALIDATORS, Achievement
from techmarket.core.api.serializers import (
    ClassificationField,
    CodeField,
    CodeNameSerializer,
)
from techmarket.core.choices import ClassificationScheme
from techmarket.core.models import Region


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    organisation_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=PersonRole.choices, default=PersonRole.MAIN)
    title = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class IPSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=64)
    ip_type = serializers.ChoiceField(choices=PatentType.choices)
    status = serializers.ChoiceField(choices=PatentStatus.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AchievementListSerializer(serializers.ModelSerializer):
    discipline = CodeNameSerializer(read_only=True)
    industry = CodeNameSerializer(read_only=True)
    region = CodeNameSerializer(read_only=True)
    owner_organisation = serializers.CharField(source="owner_organisation.name", read_only=True)
    transfer_modes = serializers.ListField(
        child=serializers.CharField(), source="transfer_mode_list", read_only=True
    )
    keywords = serializers.ListField(child=serializers.CharField(), source="keyword_list", read_only=True)

    class Meta:
        model = Achievement
        fields = [
            "id",
            "registration_number",
            "name",
            "achievement_type",
            "state",
            "confidentiality",
            "discipline",
            "industry",
            "region",
            "keywords",
            "trl",
            "stage",
            "transfer_modes",
            "price_negotiable",
            "reference_price",
            "owner_organisation",
            "published_at",
        ]
        extra_kwargs = {"stage": {"help_text": _("由技术就绪度推出，只读。")}}


class AchievementDetailSerializer(AchievementListSerializer):
    organisations = serializers.SerializerMethodField()
    persons = serializers.SerializerMethodField()
    ip_rights = serializers.SerializerMethodField()

    class Meta(AchievementListSerializer.Meta):
        fields = [
            *AchievementListSerializer.Meta.fields,
            "abstract",
            "technical_indicators",
            "innovation_points",
            "application_prospects",
            "funding_source",
            "programme_name",
            "project_number",
            "evaluation_form",
            "evaluation_date",
            "completion_date",
            "attribute",
            "submitted_at",
            "organisations",
            "persons",
            "ip_rights",
        ]

    def get_organisations(self, achievement: Achievement) -> list[str]:
        return [org.name for org in achievement.completing_organisations.all()]

    def get_persons(self, achievement: Achievement) -> list[dict[str, Any]]:
        return [
            {"name": p.name, "organisation_name": p.organisation_name, "role": p.role, "title": p.title}
            for p in achievement.completing_persons.all()
        ]

    def get_ip_rights(self, achievement: Achievement) -> list[dict[str, Any]]:
        return [
            {"number": ip.number, "ip_type": ip.ip_type, "status": ip.status, "title": ip.title}
            for ip in achievement.ip_rights.all()
        ]


class AchievementWriteSerializer(serializers.Serializer):
    """Input of create and update; business rules are checked by the service, not here."""

    name = serializers.CharField(max_length=200)
    achievement_type = serializers.ChoiceField(choices=AchievementType.choices)
    discipline = ClassificationField(ClassificationScheme.DISCIPLINE, help_text=_("GB/T 13745 学科代码"))
    industry = ClassificationField(ClassificationScheme.INDUSTRY, help_text=_("GB/T 4754 行业代码"))
    keywords = serializers.CharField(max_length=200)
    abstract = serializers.CharField(max_length=20000)
    technical_indicators = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    innovation_points = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    application_prospects = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    funding_source = serializers.ChoiceField(choices=FundingSource.choices)
    programme_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    project_number = serializers.CharField(max_length=64, required=False, allow_blank=True)
    evaluation_form = serializers.ChoiceField(choices=EvaluationForm.choices)
    evaluation_date = serializers.DateField(required=False, allow_null=True)
    completion_date = serializers.DateField()
    attribute = serializers.ChoiceField(choices=AchievementAttribute.choices)
    trl = serializers.IntegerField(
        min_value=1,
        max_value=9,
        help_text=_("技术就绪度 1–9；所处阶段由它推出（1–3 初期，4–6 中期，7–9 成熟应用），不单独填写。"),
    )
    transfer_modes = serializers.ListField(
        child=serializers.ChoiceField(choices=TransferMode.choices), min_length=1, max_length=5
    )
    price_negotiable = serializers.BooleanField(default=False)
    reference_price = serializers.DecimalField(
        # No digit limit here: the bounds' own message (in 万元) is clearer than a count of digits.
        max_digits=None,
        decimal_places=2,
        required=False,
        allow_null=True,
        validators=REFERENCE_PRICE_VALIDATORS,
        help_text=_("万元，0 至 100000000（即 1 万亿元）。"),
    )
    region = CodeField(slug_field="code", queryset=Region.objects.all())
    confidentiality = serializers.ChoiceField(choices=Confidentiality.choices, default=Confidentiality.PUBLIC)
    organisations = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=20
    )
    persons = serializers.ListField(child=PersonSerializer(), required=False, max_length=50)
    ip_rights = serializers.ListField(child=IPSerializer(), required=False, max_length=50)


class AuditEventSerializer(serializers.Serializer):
    """One step of a record's timeline; actor and reason are empty outside the record's review circle."""

    created_at = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True)
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)


class SuggestionSerializer(serializers.Serializer):
    suggestions = serializers.ListField(child=serializers.CharField())
