"""Serializers of the contracts API (read models; writes go through the services, which check every
value: amounts are text in yuan so that a malformed one gets its clear message)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from techmarket.contracts.models import ContractPart, TechContract

MAX_ID = 2**31 - 1  # ids beyond it name nothing (and would overflow an SQLite integer)


class ContractPartSerializer(serializers.ModelSerializer[ContractPart]):
    class Meta:
        model = ContractPart
        fields = ["kind", "amount", "note"]


class PaymentRowSerializer(serializers.Serializer[Any]):
    due_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class ContractSerializer(serializers.ModelSerializer[TechContract]):
    seller_organisation = serializers.IntegerField(source="seller_organisation_id", read_only=True)
    buyer_organisation = serializers.IntegerField(
        source="buyer_organisation_id", read_only=True, allow_null=True
    )
    agency_organisation = serializers.IntegerField(
        source="agency_organisation_id", read_only=True, allow_null=True
    )
    seller_region = serializers.CharField(source="seller_region_id", read_only=True)
    deal = serializers.IntegerField(source="deal_id", read_only=True, allow_null=True)
    brokered_contract = serializers.IntegerField(
        source="brokered_contract_id", read_only=True, allow_null=True
    )
    parts = ContractPartSerializer(many=True, read_only=True)
    payment_plan = PaymentRowSerializer(many=True, read_only=True)
    has_signed_pdf = serializers.SerializerMethodField()
    certificate = serializers.SerializerMethodField()

    class Meta:
        model = TechContract
        fields = [
            "id",
            "state",
            "title",
            "contract_type",
            "subtype",
            "seller_organisation",
            "seller_name",
            "seller_credit_code",
            "seller_entity_type",
            "seller_region",
            "buyer_organisation",
            "buyer_name",
            "buyer_credit_code",
            "buyer_entity_type",
            "buyer_country_code",
            "buyer_region_code",
            "agency_organisation",
            "signed_on",
            "term_start",
            "term_end",
            "total_amount",
            "certified_amount",
            "parts",
            "payment_plan",
            "technology_field",
            "ip_type",
            "plan_source",
            "expected_investment",
            "expected_output",
            "has_signed_pdf",
            "deal",
            "brokered_contract",
            "submitted_at",
            "return_reason",
            "refusal_reason",
            "registration_number",
            "verification_code",
            "registered_at",
            "certificate",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_has_signed_pdf(self, contract: TechContract) -> bool:
        return bool(contract.signed_pdf)

    def get_certificate(self, contract: TechContract) -> str | None:
        """Where the 登记证明 PDF is downloaded (registered contracts only)."""
        if not contract.registration_number:
            return None
        return reverse("api:contract-certificate", args=[contract.pk])


class PartWriteSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(max_length=16)
    amount = serializers.CharField(max_length=32)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PaymentWriteSerializer(serializers.Serializer[Any]):
    due_on = serializers.CharField(max_length=16)
    amount = serializers.CharField(max_length=32)


class ContractWriteSerializer(serializers.Serializer[Any]):
    """The 技术合同登记表's fields (on update, only those given change); codes from the national lists."""

    seller_organisation = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="An agency filing for a seller that authorises it.",
    )
    buyer_organisation = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    title = serializers.CharField(max_length=250, required=False)
    subtype = serializers.CharField(max_length=40, required=False)
    seller_entity_type = serializers.CharField(max_length=16, required=False)
    buyer_name = serializers.CharField(max_length=250, required=False)
    buyer_credit_code = serializers.CharField(max_length=32, required=False, allow_blank=True)
    buyer_entity_type = serializers.CharField(max_length=16, required=False)
    buyer_country_code = serializers.CharField(max_length=8, required=False)
    buyer_region_code = serializers.CharField(max_length=16, required=False, allow_blank=True)
    signed_on = serializers.CharField(max_length=16, required=False)
    term_start = serializers.CharField(max_length=16, required=False, allow_blank=True, allow_null=True)
    term_end = serializers.CharField(max_length=16, required=False, allow_blank=True, allow_null=True)
    total_amount = serializers.CharField(max_length=32, required=False)
    technology_field = serializers.CharField(max_length=16, required=False)
    ip_type = serializers.CharField(max_length=16, required=False)
    plan_source = serializers.CharField(max_length=16, required=False)
    expected_investment = serializers.CharField(
        max_length=32, required=False, allow_blank=True, allow_null=True
    )
    expected_output = serializers.CharField(max_length=32, required=False, allow_blank=True, allow_null=True)
    brokered_contract = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    parts = PartWriteSerializer(many=True, required=False)
    payment_plan = PaymentWriteSerializer(many=True, required=False)


class ContractTransitionSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    certified_amount = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default="", help_text="register: a corrected amount"
    )


class SignedPdfSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()


class DraftFromDealSerializer(serializers.Serializer[Any]):
    deal = serializers.IntegerField(min_value=1, max_value=MAX_ID)
