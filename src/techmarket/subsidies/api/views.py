"""REST endpoints of subsidies: thin wrappers over selectors and services, with the same rules as the
pages (the public list's columns for everyone once published; the trail for the bureau and the awarded
organisation; policies for platform administrators)."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Q
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.core.errors import NotFound, NotPermitted
from techmarket.subsidies import exports, policies, selectors, services
from techmarket.subsidies.api.serializers import (
    AwardSerializer,
    ObjectionDecideSerializer,
    ObjectionFileSerializer,
    PolicyRowSerializer,
    PolicyVersionSerializer,
    PolicyWriteSerializer,
    PublicAwardSerializer,
    PublicRunSerializer,
    RunComputeSerializer,
    RunSerializer,
    RunTransitionSerializer,
    SubsidyObjectionSerializer,
)
from techmarket.subsidies.choices import PUBLIC_STATES
from techmarket.subsidies.models import Award, Objection, PolicyVersion, SubsidyRun


def _run_for(request: Request, pk: str) -> tuple[SubsidyRun, bool]:
    """(run, managed): the bureau's run, or a published one for anyone."""
    principal = principal_of(request.user)
    try:
        return selectors.run_get(principal, pk), True
    except NotFound:
        return selectors.public_run_get(pk), False


def _present(run: SubsidyRun, managed: bool) -> dict[str, Any]:
    return dict(RunSerializer(run).data if managed else PublicRunSerializer(run).data)


class SubsidyRunViewSet(viewsets.GenericViewSet[SubsidyRun]):
    """奖补测算 and 奖补公示: published runs for everyone; every run of its region for the bureau."""

    queryset = SubsidyRun.objects.none()
    serializer_class = RunSerializer
    permission_classes = [permissions.AllowAny]
    lookup_value_regex = r"\d+"

    @extend_schema(responses={200: RunSerializer(many=True)})
    def list(self, request: Request) -> Response:
        """Published runs, plus every run the caller's bureau manages (those with every figure)."""
        principal = principal_of(request.user)
        managed = selectors.bureau_runs(principal)
        rows = SubsidyRun.objects.filter(
            Q(state__in=PUBLIC_STATES) | Q(pk__in=managed.values("pk"))
        ).order_by("-year", "policy_id", "-id")
        page = self.paginate_queryset(rows.select_related("policy_version")) or []
        return self.get_paginated_response(
            [_present(run, policies.can_manage_run(principal, run)) for run in page]
        )

    @extend_schema(responses={200: RunSerializer})
    def retrieve(self, request: Request, pk: str) -> Response:
        run, managed = _run_for(request, pk)
        return Response(_present(run, managed))

    @extend_schema(request=RunComputeSerializer, responses={201: RunSerializer})
    def create(self, request: Request) -> Response:
        """Compute a policy's latest version for a year (the bureau of the policy's region)."""
        actor = acting_user(request)
        serializer = RunComputeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        run = services.run_compute(
            actor=actor,
            policy_id=data["policy"],
            year=data["year"],
            budget=data["budget"],
            objection_days=data["objection_days"],
        )
        return Response(RunSerializer(run).data, status=201)

    @extend_schema(request=RunTransitionSerializer, responses={200: RunSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        """Check, approve, publish, pay, return, reopen, cancel or recompute the run."""
        actor = acting_user(request)
        run = selectors.run_get(principal_of(request.user), pk)
        serializer = RunTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        name, reason = data["transition"], data["reason"]
        if name == "check":
            run = services.run_check(actor=actor, run=run)
        elif name == "approve":
            run = services.run_approve(actor=actor, run=run)
        elif name == "publish":
            run = services.run_publish(actor=actor, run=run, objection_days=data.get("objection_days"))
        elif name == "pay":
            run = services.run_pay(actor=actor, run=run)
        elif name == "return":
            run = services.run_return(actor=actor, run=run, reason=reason)
        elif name == "reopen":
            run = services.run_reopen(actor=actor, run=run, reason=reason)
        elif name == "cancel":
            run = services.run_cancel(actor=actor, run=run, reason=reason)
        else:
            run = services.run_recompute(actor=actor, run=run, budget=data["budget"] or None)
        return Response(RunSerializer(run).data)

    @extend_schema(responses={200: AwardSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def awards(self, request: Request, pk: str) -> Response:
        """The run's awards: with every figure and the trail for its bureau; the public columns otherwise."""
        run, managed = _run_for(request, pk)
        if managed:
            return Response(AwardSerializer(selectors.awards_of(run), many=True).data)
        return Response(PublicAwardSerializer(selectors.public_award_rows(run), many=True).data)

    @extend_schema(responses={200: SubsidyObjectionSerializer(many=True)}, methods=["GET"])
    @extend_schema(
        request=ObjectionFileSerializer, responses={201: SubsidyObjectionSerializer}, methods=["POST"]
    )
    @action(detail=True, methods=["get", "post"])
    def objections(self, request: Request, pk: str) -> Response:
        """The run's objections (all for its bureau, one's own otherwise); POST files one (signed in, during
        the objection period)."""
        run, _managed = _run_for(request, pk)
        principal = principal_of(request.user)
        if request.method == "GET":
            return Response(
                SubsidyObjectionSerializer(selectors.objections_of(principal, run), many=True).data
            )
        actor = acting_user(request)
        serializer = ObjectionFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        objection = services.objection_file(
            actor=actor,
            run=run,
            text=serializer.validated_data["text"],
            award_id=serializer.validated_data.get("award"),
        )
        return Response(SubsidyObjectionSerializer(objection).data, status=201)

    @extend_schema(responses={(200, exports.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str) -> HttpResponse:
        """Excel: the bureau's workbook for its bureau, the public list's otherwise."""
        run, managed = _run_for(request, pk)
        if managed:
            return exports.response(exports.bureau_xlsx(run), f"subsidies-{run.policy_id}-{run.year}.xlsx")
        return exports.response(exports.public_xlsx(run), f"subsidies-{run.policy_id}-{run.year}-public.xlsx")


class SubsidyAwardViewSet(viewsets.GenericViewSet[Award]):
    """An award with its trail: the bureau of its run's region, the awarded organisation once published."""

    queryset = Award.objects.none()
    serializer_class = AwardSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = r"\d+"

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(AwardSerializer(selectors.award_get(principal_of(request.user), pk)).data)


class SubsidyObjectionViewSet(viewsets.GenericViewSet[Objection]):
    """An objection: read by its filer and the bureau; answered by the bureau."""

    queryset = Objection.objects.none()
    serializer_class = SubsidyObjectionSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = r"\d+"

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(
            SubsidyObjectionSerializer(selectors.objection_get(principal_of(request.user), pk)).data
        )

    @extend_schema(request=ObjectionDecideSerializer, responses={200: SubsidyObjectionSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        """异议成立 (the run goes back to recompute) or 不成立, with the reply."""
        actor = acting_user(request)
        principal = principal_of(request.user)
        objection = selectors.objection_get(principal, pk)
        if not policies.can_manage_run(principal, objection.run):
            raise NotFound()
        serializer = ObjectionDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["decision"] == "uphold":
            objection = services.objection_uphold(actor=actor, objection=objection, reply=data["reply"])
        else:
            objection = services.objection_dismiss(actor=actor, objection=objection, reply=data["reply"])
        return Response(SubsidyObjectionSerializer(objection).data)


class SubsidyPolicyViewSet(viewsets.GenericViewSet[PolicyVersion]):
    """Subsidy policies and their history (platform administrators)."""

    queryset = PolicyVersion.objects.none()
    serializer_class = PolicyVersionSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "policy_id"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def _admin(self, request: Request) -> Any:
        principal = principal_of(request.user)
        if not policies.can_edit_policies(principal):
            raise NotPermitted()
        return principal

    @extend_schema(responses={200: PolicyRowSerializer(many=True)})
    def list(self, request: Request) -> Response:
        """Shipped and platform-created policies with their latest version number."""
        principal = self._admin(request)
        return Response(PolicyRowSerializer(selectors.policy_rows(principal), many=True).data)

    @extend_schema(
        operation_id="subsidy_policies_versions_of", responses={200: PolicyVersionSerializer(many=True)}
    )
    def retrieve(self, request: Request, policy_id: str) -> Response:
        """The policy's versions, newest first (a shipped policy not yet used has none: its file is v0)."""
        principal = self._admin(request)
        selectors.policy_document(principal, policy_id)  # NotFound for an unknown policy
        return Response(
            PolicyVersionSerializer(selectors.policy_history(principal, policy_id), many=True).data
        )

    @extend_schema(request=PolicyWriteSerializer, responses={201: PolicyVersionSerializer})
    def create(self, request: Request) -> Response:
        """A new policy (its id from the document)."""
        self._admin(request)
        serializer = PolicyWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.policy_create(
            actor=acting_user(request),
            document_text=json.dumps(serializer.validated_data["document"], ensure_ascii=False),
            note=serializer.validated_data["note"],
        )
        return Response(PolicyVersionSerializer(version).data, status=201)

    @extend_schema(request=PolicyWriteSerializer, responses={201: PolicyVersionSerializer})
    @action(detail=True, methods=["post"])
    def versions(self, request: Request, policy_id: str) -> Response:
        """Save a new version of the policy (validated by the engine; nothing saved on a problem)."""
        self._admin(request)
        serializer = PolicyWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.policy_save(
            actor=acting_user(request),
            policy_id=policy_id,
            document_text=json.dumps(serializer.validated_data["document"], ensure_ascii=False),
            note=serializer.validated_data["note"],
        )
        return Response(PolicyVersionSerializer(version).data, status=201)
