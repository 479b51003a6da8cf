from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from techmarket.core import masking
from techmarket.core.api.serializers import ClassificationField, CodeField, CodeNameSerializer
from techmarket.core.choices import ClassificationScheme
from techmarket.core.models import Region
from techmarket.demands.choices import Cooperation, DemandConfidentiality
from techmarket.demands.models import Demand


class DemandSerializer(serializers.ModelSerializer):
    """A demand as the caller may see it: the contact is masked outside the demand's own circle."""

    industry = CodeNameSerializer(read_only=True)
    discipline = CodeNameSerializer(read_only=True, allow_null=True)
    region = CodeNameSerializer(read_only=True)
    owner_organisation = serializers.CharField(source="owner_organisation.name", read_only=True)
    cooperation = serializers.ListField(
        child=serializers.CharField(), source="cooperation_list", read_only=True
    )
    keywords = serializers.ListField(child=serializers.CharField(), source="keyword_list", read_only=True)
    contact_phone = serializers.SerializerMethodField()
    contact_email = serializers.SerializerMethodField()

    class Meta:
        model = Demand
        fields = [
            "id",
            "title",
            "state",
            "confidentiality",
            "background",
            "problem",
            "targets",
            "keywords",
            "industry",
            "discipline",
            "region",
            "budget_min",
            "budget_max",
            "cooperation",
            "expected_trl",
            "deadline",
            "contact_name",
            "contact_phone",
            "contact_email",
            "owner_organisation",
            "submitted_at",
            "published_at",
            "closed_at",
            "close_note",
        ]

    def _show_contact(self) -> bool:
        return bool(self.context.get("show_contact"))

    def get_contact_phone(self, demand: Demand) -> str:
        return demand.contact_phone if self._show_contact() else masking.mask_phone(demand.contact_phone)

    def get_contact_email(self, demand: Demand) -> str:
        return demand.contact_email if self._show_contact() else masking.mask_email(demand.contact_email)


class DemandWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    problem = serializers.CharField(max_length=10000)
    background = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    targets = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    keywords = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    industry = ClassificationField(ClassificationScheme.INDUSTRY, help_text=_("GB/T 4754 行业代码"))
    discipline = ClassificationField(
        ClassificationScheme.DISCIPLINE, required=False, allow_null=True, help_text=_("GB/T 13745 学科代码")
    )
    region = CodeField(slug_field="code", queryset=Region.objects.all())
    budget_min = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    budget_max = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    cooperation = serializers.ListField(
        child=serializers.ChoiceField(choices=Cooperation.choices), required=False, default=list
    )
    expected_trl = serializers.IntegerField(min_value=1, max_value=9, required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    contact_name = serializers.CharField(max_length=64)
    contact_phone = serializers.CharField(max_length=32)
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    confidentiality = serializers.ChoiceField(
        choices=DemandConfidentiality.choices, default=DemandConfidentiality.PUBLIC
    )

    def to_data(self) -> dict[str, Any]:
        return dict(self.validated_data)
