"""Serializers of the deals API (read models; writes go through the services)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from techmarket.deals.models import Deal, Negotiation, Offer
from techmarket.deals.services import DEFAULT_VALID_DAYS, MAX_TERMS_CHARS, MAX_VALID_DAYS


class OfferSerializer(serializers.ModelSerializer[Offer]):
    state = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = [
            "id",
            "negotiation",
            "listing",
            "side",
            "amount",
            "payment_terms",
            "licence_terms",
            "commission",
            "expires_at",
            "state",
            "created_at",
            "decided_at",
        ]

    def get_state(self, offer: Offer) -> str:
        """The state, an open offer past its time read as ``expired``."""
        return str(getattr(offer, "shown_state", offer.state))


class NegotiationSerializer(serializers.ModelSerializer[Negotiation]):
    buyer_organisation_name = serializers.CharField(source="buyer_organisation.name", read_only=True)
    thread = serializers.IntegerField(source="thread_id", read_only=True, allow_null=True)

    class Meta:
        model = Negotiation
        fields = [
            "id",
            "listing",
            "buyer_organisation",
            "buyer_organisation_name",
            "thread",
            "created_at",
            "updated_at",
        ]


class NegotiationOpenSerializer(serializers.Serializer[Any]):
    listing = serializers.IntegerField(min_value=1)


class OfferWriteSerializer(serializers.Serializer[Any]):
    """Amounts as text in 万元 (at most two decimals); the service answers a malformed one clearly."""

    amount = serializers.CharField(max_length=32)
    payment_terms = serializers.CharField(
        max_length=MAX_TERMS_CHARS, required=False, allow_blank=True, default=""
    )
    licence_terms = serializers.CharField(
        max_length=MAX_TERMS_CHARS, required=False, allow_blank=True, default=""
    )
    valid_days = serializers.IntegerField(min_value=1, max_value=MAX_VALID_DAYS, default=DEFAULT_VALID_DAYS)
    commission = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class OfferAnswerSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DealSerializer(serializers.ModelSerializer[Deal]):
    seller_organisation_name = serializers.CharField(source="seller_organisation.name", read_only=True)
    buyer_organisation_name = serializers.CharField(source="buyer_organisation.name", read_only=True)
    certificate = serializers.SerializerMethodField()

    class Meta:
        model = Deal
        fields = [
            "id",
            "number",
            "listing",
            "seller_organisation",
            "seller_organisation_name",
            "buyer_organisation",
            "buyer_organisation_name",
            "broker_organisation",
            "commission",
            "price",
            "mode",
            "license_kind",
            "payment_terms",
            "licence_terms",
            "source",
            "offer",
            "auction",
            "evidence_hash",
            "listed_at",
            "dealt_at",
            "contract_type",
            "contract",
            "certificate",
        ]

    def get_certificate(self, deal: Deal) -> str:
        """Where the 交易鉴证书 PDF is downloaded."""
        return reverse("api:deal-certificate", args=[deal.pk])


class DealNoticeSerializer(serializers.Serializer[Any]):
    """A 成交公告 with only the listing fields the caller may read (absent ones are not public)."""

    id = serializers.IntegerField()
    deal_number = serializers.CharField()
    listing = serializers.IntegerField()
    source = serializers.CharField()  # type: ignore[assignment]
    seller = serializers.CharField()
    buyer = serializers.CharField()
    dealt_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    in_notice = serializers.BooleanField()
    title = serializers.CharField(required=False)
    mode = serializers.CharField(required=False)
    license_kind = serializers.CharField(required=False)
    price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
