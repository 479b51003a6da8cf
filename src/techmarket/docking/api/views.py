"""REST endpoints of docking: the response dashboard, a person's pushes and answers, pushing a response."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.core.api import idempotency
from techmarket.core.errors import NotPermitted
from techmarket.demands import selectors as demand_selectors
from techmarket.docking import policies, selectors, services
from techmarket.docking.api.serializers import (
    AnswerSerializer,
    DashboardSerializer,
    PushedResponseSerializer,
    PushRequestSerializer,
    PushSerializer,
)
from techmarket.docking.models import PushRecipient

MAX_OPEN_ROWS = 200


class DashboardView(APIView):
    """需求响应看板: open demands by time left and response-time statistics (reviewers, brokers, admins)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: DashboardSerializer})
    def get(self, request: Request) -> Response:
        principal = principal_of(request.user)
        if not policies.can_view_dashboard(principal):
            raise NotPermitted()
        rows = selectors.open_clocks(principal)
        stats = selectors.response_stats(principal)
        data = {
            "open_count": len(rows),
            "overdue_count": sum(1 for row in rows if row.overdue),
            "open": rows[:MAX_OPEN_ROWS],
            **stats,
        }
        return Response(DashboardSerializer(data).data)


class PushViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """对接推送: the matches pushed to the caller, and their answers."""

    queryset = PushRecipient.objects.none()
    serializer_class = PushSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list[Any] = []
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        return selectors.inbox(principal_of(self.request.user))

    @extend_schema(request=AnswerSerializer, responses={200: PushSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str) -> Response:
        row = selectors.push_recipient_get(principal_of(request.user), pk)
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.answer(
            actor=acting_user(request),
            recipient_row=row,
            kind=serializer.validated_data["answer"],
            reason=serializer.validated_data["decline_reason"],
            message=serializer.validated_data["message"],
        )
        row = selectors.push_recipient_get(principal_of(request.user), pk)
        return Response(PushSerializer(row, context=self.get_serializer_context()).data)


class ResponsePushView(APIView):
    """推送对接响应: push the demand's confirmed matches (stops its response clock)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=PushRequestSerializer,
        responses={201: PushedResponseSerializer},
        parameters=[
            OpenApiParameter("demand_id", OpenApiTypes.INT, OpenApiParameter.PATH),
            idempotency.SCHEMA_PARAMETER,
        ],
    )
    def post(self, request: Request, demand_id: str) -> Response:
        demand = demand_selectors.demand_get(principal_of(request.user), selectors.parse_id(demand_id))
        serializer = PushRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return idempotency.create_once(
            request,
            action="docking.response.push",
            create=lambda key: services.response_push(
                actor=acting_user(request),
                demand=demand,
                message=serializer.validated_data["message"],
                submission_key=key,
            ),
            present=lambda pk: Response(
                PushedResponseSerializer(selectors.response_of_demand(demand, pk)).data, status=201
            ),
        )
