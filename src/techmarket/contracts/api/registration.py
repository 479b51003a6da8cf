"""REST endpoints of technology contract registration: thin wrappers over selectors and services, with
the same rules as the pages (a contract for its parties and its registry only)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.contracts import certificate, policies, selectors, services
from techmarket.contracts.api.serializers import (
    ContractSerializer,
    ContractTransitionSerializer,
    ContractWriteSerializer,
    DraftFromDealSerializer,
    SignedPdfSerializer,
)
from techmarket.contracts.choices import ContractState
from techmarket.contracts.models import TechContract
from techmarket.contracts.workflow import CONTRACT_WORKFLOW
from techmarket.core.errors import NotFound
from techmarket.deals import selectors as deal_selectors

MANUAL = [name for name in CONTRACT_WORKFLOW.names() if name != "create"]


class ContractViewSet(viewsets.GenericViewSet[TechContract]):
    """技术合同登记: the caller's contracts (parties) and its registry's; filing, review, certificates."""

    queryset = TechContract.objects.none()
    serializer_class = ContractSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = r"\d+"

    def _get(self, request: Request, pk: str) -> TechContract:
        return selectors.contract_get(principal_of(request.user), pk)

    def _answer(self, request: Request, pk: int, status: int = 200) -> Response:
        contract = self._get(request, str(pk))
        return Response(ContractSerializer(contract).data, status=status)

    @extend_schema(
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, enum=ContractState.values),
            OpenApiParameter("scope", OpenApiTypes.STR, enum=["mine", "registry"]),
        ]
    )
    def list(self, request: Request) -> Response:
        """The contracts the caller may read: ``scope=mine`` its organisation's (default), ``registry`` its
        registry's queue (registrars)."""
        principal = principal_of(request.user)
        state = str(request.query_params.get("state", ""))
        if request.query_params.get("scope") == "registry":
            rows = selectors.registry_queue(principal, state)
        else:
            rows = selectors.my_contracts(principal, state)
        page = self.paginate_queryset(rows.prefetch_related("parts"))
        return self.get_paginated_response(ContractSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._answer(request, int(pk))

    @extend_schema(request=ContractWriteSerializer, responses={201: ContractSerializer})
    def create(self, request: Request) -> Response:
        """A new draft (the seller's filers, or an agency naming a seller that authorises it)."""
        serializer = ContractWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract = services.contract_create(actor=acting_user(request), data=serializer.validated_data)
        return self._answer(request, contract.pk, status=201)

    @extend_schema(request=ContractWriteSerializer, responses={200: ContractSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change a draft or returned contract: the fields given replace the stored ones."""
        contract = self._get(request, pk)
        serializer = ContractWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.contract_update(
            actor=acting_user(request), contract=contract, data=serializer.validated_data
        )
        return self._answer(request, contract.pk)

    @extend_schema(request=SignedPdfSerializer, responses={200: ContractSerializer})
    @action(
        detail=True, methods=["post"], url_path="signed-pdf", parser_classes=[MultiPartParser, FormParser]
    )
    def signed_pdf(self, request: Request, pk: str) -> Response:
        """Upload the signed contract (PDF, multipart field ``file``) of a draft or returned contract."""
        contract = self._get(request, pk)
        serializer = SignedPdfSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.contract_update(
            actor=acting_user(request),
            contract=contract,
            data={},
            signed_pdf=serializer.validated_data["file"],
        )
        return self._answer(request, contract.pk)

    @extend_schema(
        request=ContractTransitionSerializer,
        responses={200: ContractSerializer},
        parameters=[OpenApiParameter("transition", OpenApiTypes.STR, OpenApiParameter.PATH, enum=MANUAL)],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"transitions/(?P<transition>[a-z_]+)",
        parser_classes=[JSONParser, FormParser],
    )
    def transition(self, request: Request, pk: str, transition: str) -> Response:
        """submit, withdraw (the filer); start_review, return (reason), register (optional corrected
        ``certified_amount`` with a reason), refuse (reason) — the registry."""
        contract = self._get(request, pk)
        serializer = ContractTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if transition not in MANUAL:
            CONTRACT_WORKFLOW.get(transition)  # the unknown-transition error
            raise NotFound()
        services.contract_transition(
            actor=acting_user(request),
            contract=contract,
            name=transition,
            reason=serializer.validated_data["reason"],
            certified_amount=serializer.validated_data["certified_amount"],
        )
        return self._answer(request, contract.pk)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def certificate(self, request: Request, pk: str) -> HttpResponse:
        """登记证明 (PDF): a registered contract's parties and registry."""
        contract = self._get(request, pk)
        if not policies.can_download_registration_certificate(principal_of(request.user), contract):
            raise NotFound()
        pdf = certificate.render_pdf(contract, base_url=request.build_absolute_uri("/"))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{certificate.filename(contract)}"'
        return response

    @extend_schema(request=DraftFromDealSerializer, responses={201: ContractSerializer})
    @action(detail=False, methods=["post"], url_path="from-deal")
    def from_deal(self, request: Request) -> Response:
        """办理技术合同登记 from a deal: a draft prefilled from it (the deal's seller side)."""
        serializer = DraftFromDealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deal = deal_selectors.deal_get(principal_of(request.user), serializer.validated_data["deal"])
        contract = services.draft_from_deal(actor=acting_user(request), deal=deal)
        return self._answer(request, contract.pk, status=201)
