"""REST endpoints of receipts (实际到账), amendments (合同变更) and the 技术性收入核定, with the same rules as
the pages: everything is read only by the contract's parties and its registry (a record outside that
audience answers 404), written by the seller side (record, file) or the registry (decide)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.contracts import receipt_selectors, receipt_services
from techmarket.contracts.models import Amendment, Receipt
from techmarket.core.api import idempotency
from techmarket.core.api.parsers import JSONParser
from techmarket.core.errors import NotFound
from techmarket.core.web import private_attachment

MONEY = {"max_digits": 16, "decimal_places": 2}


class ReceiptSerializer(serializers.ModelSerializer[Receipt]):
    contract = serializers.IntegerField(source="contract_id", read_only=True)
    recorded_by = serializers.IntegerField(source="recorded_by_id", read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = Receipt
        fields = [
            "id",
            "contract",
            "state",
            "received_on",
            "amount",
            "payer",
            "bank_reference",
            "evidence",
            "recorded_by",
            "recorded_at",
            "decided_at",
            "rejection_reason",
        ]

    def get_evidence(self, receipt: Receipt) -> str:
        """Where the bank slip (PDF) is downloaded (parties and registry only)."""
        return reverse("api:receipt-evidence", args=[receipt.pk]) if receipt.evidence else ""


class ReceiptWriteSerializer(serializers.Serializer[Any]):
    """Amount and date as text; the service answers a malformed one clearly."""

    contract = serializers.IntegerField(min_value=1)
    received_on = serializers.CharField(max_length=32)
    amount = serializers.CharField(max_length=32)
    payer = serializers.CharField(max_length=200)
    bank_reference = serializers.CharField(max_length=64)
    evidence = serializers.FileField(help_text="The bank slip, PDF only.")


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AmendmentSerializer(serializers.ModelSerializer[Amendment]):
    contract = serializers.IntegerField(source="contract_id", read_only=True)
    filed_by = serializers.IntegerField(source="filed_by_id", read_only=True)

    class Meta:
        model = Amendment
        fields = [
            "id",
            "contract",
            "state",
            "new_total_amount",
            "new_certified_amount",
            "reason",
            "filed_by",
            "filed_at",
            "decided_at",
            "decision_note",
        ]


class AmendmentWriteSerializer(serializers.Serializer[Any]):
    contract = serializers.IntegerField(min_value=1)
    new_total_amount = serializers.CharField(max_length=32)
    new_certified_amount = serializers.CharField(max_length=32)
    reason = serializers.CharField(max_length=2000)


class YearAmountSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(min_value=1900, max_value=9999)
    amount = serializers.DecimalField(**MONEY)  # type: ignore[arg-type]


class ContractIncomeSerializer(serializers.Serializer[Any]):
    contract = serializers.IntegerField(min_value=1)
    registration_number = serializers.CharField(allow_null=True)
    certified = serializers.DecimalField(**MONEY)  # type: ignore[arg-type]
    confirmed = serializers.DecimalField(**MONEY)  # type: ignore[arg-type]
    pending = serializers.DecimalField(**MONEY)  # type: ignore[arg-type]
    outstanding = serializers.DecimalField(**MONEY)  # type: ignore[arg-type]
    by_year = YearAmountSerializer(many=True)


class IncomeYearSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(min_value=1900, max_value=9999)
    total = serializers.DecimalField(**MONEY)  # type: ignore[arg-type]
    by_type = serializers.DictField(child=serializers.DecimalField(**MONEY))  # type: ignore[arg-type]
    receipts = serializers.IntegerField(min_value=0)


class IncomeContractSerializer(serializers.Serializer[Any]):
    contract_id = serializers.IntegerField(min_value=1)
    registration_number = serializers.CharField()
    title = serializers.CharField()
    contract_type = serializers.CharField()
    buyer_name = serializers.CharField()
    certified = serializers.DecimalField(**MONEY)  # type: ignore[arg-type]
    received = serializers.DecimalField(**MONEY)  # type: ignore[arg-type]
    receipts = serializers.IntegerField(min_value=0)


class OrganisationIncomeSerializer(serializers.Serializer[Any]):
    organisation_id = serializers.IntegerField(min_value=1)
    organisation_name = serializers.CharField()
    years = IncomeYearSerializer(many=True)
    year = serializers.IntegerField(min_value=1900, max_value=9999, allow_null=True)
    contracts = IncomeContractSerializer(many=True)
    year_total = serializers.DecimalField(**MONEY)  # type: ignore[arg-type]


CONTRACT_FILTER = OpenApiParameter("contract", OpenApiTypes.INT, description="Only this contract's records.")


class ReceiptViewSet(viewsets.GenericViewSet[Receipt]):
    """实际到账: the receipts of the contracts the caller may read; the seller side records one (multipart,
    with the bank slip PDF); the registry confirms or rejects it."""

    queryset = Receipt.objects.none()
    serializer_class = ReceiptSerializer
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    lookup_value_regex = r"\d+"

    @extend_schema(parameters=[CONTRACT_FILTER])
    def list(self, request: Request) -> Response:
        rows = receipt_selectors.receipts_visible(
            principal_of(request.user), request.query_params.get("contract")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ReceiptSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ReceiptSerializer(receipt_selectors.receipt_get(principal_of(request.user), pk)).data)

    @extend_schema(
        request={"multipart/form-data": ReceiptWriteSerializer},
        responses={201: ReceiptSerializer},
        parameters=[idempotency.SCHEMA_PARAMETER],
    )
    def create(self, request: Request) -> Response:
        """Record a receipt on a registered contract (seller side); with an ``Idempotency-Key`` header a
        retry returns the first receipt."""
        serializer = ReceiptWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        principal = principal_of(request.user)
        contract = receipt_selectors.contract_for_receipts(principal, data.pop("contract"))
        return idempotency.create_once(
            request,
            action="contracts.receipt.record",
            create=lambda key: receipt_services.receipt_record(
                actor=acting_user(request), contract=contract, submission_key=key, **data
            ),
            present=lambda pk: Response(
                ReceiptSerializer(receipt_selectors.receipt_get(principal, pk)).data, status=201
            ),
        )

    @extend_schema(request=None, responses={200: ReceiptSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        """The registry confirms a pending receipt (refused above the certified amount)."""
        receipt = receipt_selectors.receipt_get(principal_of(request.user), pk)
        return Response(
            ReceiptSerializer(
                receipt_services.receipt_confirm(actor=acting_user(request), receipt=receipt)
            ).data
        )

    @extend_schema(request=ReasonSerializer, responses={200: ReceiptSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """The registry declines a pending receipt, with a reason."""
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        receipt = receipt_selectors.receipt_get(principal_of(request.user), pk)
        rejected = receipt_services.receipt_reject(
            actor=acting_user(request), receipt=receipt, reason=serializer.validated_data["reason"]
        )
        return Response(ReceiptSerializer(rejected).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"])
    def evidence(self, request: Request, pk: str) -> HttpResponse:
        """The bank slip (PDF): the contract's parties and registry only."""
        receipt = receipt_selectors.receipt_get(principal_of(request.user), pk)
        if not receipt.evidence:
            raise NotFound()
        return private_attachment(receipt.evidence, f"receipt-{receipt.pk}.pdf")


class AmendmentViewSet(viewsets.GenericViewSet[Amendment]):
    """合同变更: filed by the seller side, registered or refused by the registry."""

    queryset = Amendment.objects.none()
    serializer_class = AmendmentSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = r"\d+"

    @extend_schema(parameters=[CONTRACT_FILTER])
    def list(self, request: Request) -> Response:
        rows = receipt_selectors.amendments_visible(
            principal_of(request.user), request.query_params.get("contract")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(AmendmentSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(
            AmendmentSerializer(receipt_selectors.amendment_get(principal_of(request.user), pk)).data
        )

    @extend_schema(
        request=AmendmentWriteSerializer,
        responses={201: AmendmentSerializer},
        parameters=[idempotency.SCHEMA_PARAMETER],
    )
    def create(self, request: Request) -> Response:
        serializer = AmendmentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        principal = principal_of(request.user)
        contract = receipt_selectors.contract_for_receipts(principal, data.pop("contract"))
        return idempotency.create_once(
            request,
            action="contracts.amendment.file",
            create=lambda key: receipt_services.amendment_file(
                actor=acting_user(request), contract=contract, submission_key=key, **data
            ),
            present=lambda pk: Response(
                AmendmentSerializer(receipt_selectors.amendment_get(principal, pk)).data, status=201
            ),
        )

    @extend_schema(request=ReasonSerializer, responses={200: AmendmentSerializer})
    @action(detail=True, methods=["post"])
    def register(self, request: Request, pk: str) -> Response:
        """The registry registers the amendment: the contract's amounts change."""
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        amendment = receipt_selectors.amendment_get(principal_of(request.user), pk)
        done = receipt_services.amendment_register(
            actor=acting_user(request), amendment=amendment, note=serializer.validated_data["reason"]
        )
        return Response(AmendmentSerializer(done).data)

    @extend_schema(request=ReasonSerializer, responses={200: AmendmentSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: str) -> Response:
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        amendment = receipt_selectors.amendment_get(principal_of(request.user), pk)
        done = receipt_services.amendment_refuse(
            actor=acting_user(request), amendment=amendment, reason=serializer.validated_data["reason"]
        )
        return Response(AmendmentSerializer(done).data)


class ContractIncomeViewSet(viewsets.GenericViewSet[Any]):
    """The per-contract 技术性收入核定 (pk: the contract): certified, confirmed, pending, outstanding, by year."""

    queryset = Receipt.objects.none()
    serializer_class = ContractIncomeSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = r"\d+"

    def retrieve(self, request: Request, pk: str) -> Response:
        principal = principal_of(request.user)
        contract = receipt_selectors.contract_for_receipts(principal, pk)
        income = receipt_selectors.contract_income(principal, contract)
        data = {
            "contract": contract.pk,
            "registration_number": contract.registration_number,
            "certified": income.certified,
            "confirmed": income.confirmed,
            "pending": income.pending,
            "outstanding": income.outstanding,
            "by_year": [{"year": year, "amount": amount} for year, amount in income.by_year],
        }
        return Response(ContractIncomeSerializer(data).data)


class IncomeViewSet(viewsets.GenericViewSet[Any]):
    """技术性收入核定表 of a seller organisation (its users; registrars of its region chain)."""

    queryset = Receipt.objects.none()
    serializer_class = OrganisationIncomeSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("organisation", OpenApiTypes.INT, description="Default: the caller's own."),
            OpenApiParameter("year", OpenApiTypes.INT, description="Default: the latest year with receipts."),
        ],
        responses={200: OrganisationIncomeSerializer},
    )
    def list(self, request: Request) -> Response:
        report = receipt_selectors.organisation_income(
            principal_of(request.user),
            request.query_params.get("organisation") or None,
            request.query_params.get("year") or None,
        )
        return Response(OrganisationIncomeSerializer(report).data)


router = SimpleRouter()
router.register("receipts", ReceiptViewSet, basename="receipt")
router.register("contract-amendments", AmendmentViewSet, basename="amendment")
router.register("contract-income", ContractIncomeViewSet, basename="contract-income")
router.register("technology-income", IncomeViewSet, basename="technology-income")

urlpatterns = router.urls
