"""REST endpoints of negotiation and deals: thin wrappers over selectors and services, with the same
rules as the pages (a negotiation only for its two sides, a deal for its parties, notices public)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.core.api import idempotency
from techmarket.deals import certificate, selectors, services
from techmarket.deals.api.serializers import (
    DealNoticeSerializer,
    DealSerializer,
    NegotiationOpenSerializer,
    NegotiationSerializer,
    OfferAnswerSerializer,
    OfferSerializer,
    OfferWriteSerializer,
)
from techmarket.deals.models import Deal, Negotiation, Offer
from techmarket.trading import selectors as trading_selectors


class NegotiationViewSet(viewsets.GenericViewSet[Negotiation]):
    """洽谈: the caller's negotiations (either side); opening one is a buyer's 我要洽谈."""

    queryset = Negotiation.objects.none()
    serializer_class = NegotiationSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = r"\d+"

    def list(self, request: Request) -> Response:
        rows = selectors.my_negotiations(principal_of(request.user))
        page = self.paginate_queryset(rows)  # type: ignore[arg-type]
        return self.get_paginated_response(NegotiationSerializer(page, many=True).data)  # type: ignore[arg-type]

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(NegotiationSerializer(selectors.negotiation_get(principal_of(request.user), pk)).data)

    @extend_schema(request=NegotiationOpenSerializer, responses={200: NegotiationSerializer})
    def create(self, request: Request) -> Response:
        """我要洽谈 on a listing: opens the buyer organisation's negotiation (or returns it)."""
        serializer = NegotiationOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        principal = principal_of(request.user)
        listing = trading_selectors.listing_get(principal, serializer.validated_data["listing"])
        negotiation = services.negotiation_open(actor=acting_user(request), listing=listing)
        return Response(NegotiationSerializer(negotiation).data)

    @extend_schema(responses={200: OfferSerializer(many=True)}, methods=["GET"])
    @extend_schema(
        request=OfferWriteSerializer,
        responses={201: OfferSerializer},
        parameters=[idempotency.SCHEMA_PARAMETER],
        methods=["POST"],
    )
    @action(detail=True, methods=["get", "post"])
    def offers(self, request: Request, pk: str) -> Response:
        """The negotiation's offers (GET); a new offer or counter-offer (POST; with an
        ``Idempotency-Key`` header a retry returns the first offer)."""
        principal = principal_of(request.user)
        negotiation = selectors.negotiation_get(principal, pk)
        if request.method == "GET":
            return Response(OfferSerializer(selectors.offers_of(negotiation), many=True).data)
        serializer = OfferWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        return idempotency.create_once(
            request,
            action="deals.offer.make",
            create=lambda key: services.offer_make(
                actor=acting_user(request), negotiation=negotiation, submission_key=key, **data
            ),
            present=lambda offer_pk: Response(
                OfferSerializer(selectors.offer_get(principal, offer_pk)).data, status=201
            ),
        )


class OfferViewSet(viewsets.GenericViewSet[Offer]):
    """An offer: read, accept (makes the deal), reject, withdraw — by the sides of its negotiation."""

    queryset = Offer.objects.none()
    serializer_class = OfferSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = r"\d+"

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(OfferSerializer(selectors.offer_get(principal_of(request.user), pk)).data)

    @extend_schema(request=None, responses={201: DealSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """Accept the other side's open offer: the deal is made (201 with the deal)."""
        offer = selectors.offer_get(principal_of(request.user), pk)
        deal = services.offer_accept(actor=acting_user(request), offer=offer)
        return Response(DealSerializer(deal).data, status=201)

    @extend_schema(request=OfferAnswerSerializer, responses={200: OfferSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        serializer = OfferAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offer = selectors.offer_get(principal_of(request.user), pk)
        answered = services.offer_reject(
            actor=acting_user(request), offer=offer, reason=serializer.validated_data["reason"]
        )
        return Response(OfferSerializer(answered).data)

    @extend_schema(request=None, responses={200: OfferSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        offer = selectors.offer_get(principal_of(request.user), pk)
        return Response(
            OfferSerializer(services.offer_withdraw(actor=acting_user(request), offer=offer)).data
        )


class DealViewSet(viewsets.GenericViewSet[Deal]):
    """成交: the caller's deals (its parties only) and their 交易鉴证书."""

    queryset = Deal.objects.none()
    serializer_class = DealSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = r"\d+"

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.deals_of(principal_of(request.user)))
        return self.get_paginated_response(DealSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(DealSerializer(selectors.deal_get(principal_of(request.user), pk)).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def certificate(self, request: Request, pk: str) -> HttpResponse:
        """交易鉴证书 (PDF): the deal's parties and trading administrators."""
        deal = selectors.deal_for_certificate(principal_of(request.user), pk)
        response = HttpResponse(certificate.render_pdf(deal), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{certificate.filename(deal)}"'
        return response


class DealNoticeViewSet(viewsets.GenericViewSet[Any]):
    """成交公告: public; a 受限 achievement's listing shows only its public fields."""

    queryset = Deal.objects.none()
    serializer_class = DealNoticeSerializer
    permission_classes = [permissions.AllowAny]
    lookup_value_regex = r"\d+"

    def list(self, request: Request) -> Response:
        principal = principal_of(request.user)
        page = self.paginate_queryset(selectors.deal_notices())
        rows = [selectors.notice_public_view(principal, notice) for notice in page or []]
        return self.get_paginated_response(DealNoticeSerializer(rows, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        view = selectors.notice_public_view(principal_of(request.user), selectors.deal_notice_get(pk))
        return Response(DealNoticeSerializer(view).data)
