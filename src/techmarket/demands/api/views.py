"""REST endpoints for demands: thin wrappers over selectors and services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.core.api import idempotency
from techmarket.core.api.serializers import TransitionSerializer
from techmarket.core.errors import DomainError
from techmarket.demands import policies, selectors, services
from techmarket.demands.api.serializers import DemandSerializer, DemandWriteSerializer
from techmarket.demands.filters import DemandFilterForm
from techmarket.demands.models import Demand
from techmarket.demands.workflow import DEMAND_WORKFLOW

# Lazy descriptions: translated when the schema is rendered, not once at import.
FILTER_PARAMETERS = [
    OpenApiParameter(
        "search", OpenApiTypes.STR, description=gettext_lazy("全文检索（中文分词，按相关度排序）")
    ),
    *[
        OpenApiParameter(
            name, OpenApiTypes.STR, description=getattr(field, "code_label", "") or field.label or ""
        )
        for name, field in DemandFilterForm.base_fields.items()
        if name != "q"
    ],
]


def _filters_from(request: Request) -> selectors.DemandFilters:
    """The hall's filters from the query string (``search`` or ``q``); 400 naming each invalid one."""
    params = request.query_params.copy()
    if "search" in params:
        params["q"] = str(params.get("search", ""))
    form = DemandFilterForm(params)
    if not form.is_valid():
        raise DomainError(
            "invalid_filter",
            _("查询参数有误。"),
            fields={name: list(errors) for name, errors in form.errors.items()},
        )
    return form.to_filters()


class DemandViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """技术需求. Lists open demands the caller may see (?mine=1: the caller's organisation's, any state)."""

    queryset = Demand.objects.none()
    serializer_class = DemandSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        principal = principal_of(self.request.user)
        if self.request.query_params.get("mine") == "1":
            return selectors.own_demands(principal)
        return selectors.demand_filter(selectors.open_demands(principal), _filters_from(self.request))

    def get_object(self) -> Demand:
        return selectors.demand_get(principal_of(self.request.user), self.kwargs["pk"])

    def _out(self, demand: Demand) -> dict[str, Any]:
        principal = principal_of(self.request.user)
        fresh = selectors.demand_get(principal, demand.pk)
        return DemandSerializer(
            fresh, context={"show_contact": policies.can_see_contact(principal, fresh)}
        ).data

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "show_contact": False}

    @extend_schema(parameters=[OpenApiParameter("mine", OpenApiTypes.STR, enum=["1"]), *FILTER_PARAMETERS])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._out(self.get_object()))

    @extend_schema(
        request=DemandWriteSerializer,
        responses={201: DemandSerializer},
        parameters=[idempotency.SCHEMA_PARAMETER],
    )
    def create(self, request: Request) -> Response:
        """File a draft demand. With an ``Idempotency-Key`` header, a retry returns the first draft instead
        of creating another."""
        serializer = DemandWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return idempotency.create_once(
            request,
            action="demands.demand.create",
            create=lambda key: services.demand_create(
                actor=acting_user(request), data=serializer.to_data(), submission_key=key
            ),
            present=lambda pk: Response(
                self._out(selectors.demand_get(principal_of(request.user), pk)), status=201
            ),
        )

    @extend_schema(request=DemandWriteSerializer, responses={200: DemandSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        demand = self.get_object()
        serializer = DemandWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.demand_update(actor=acting_user(request), demand=demand, data=serializer.to_data())
        return Response(self._out(demand))

    @extend_schema(
        request=TransitionSerializer,
        responses={200: DemandSerializer},
        parameters=[
            OpenApiParameter(
                "transition",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=[name for name in DEMAND_WORKFLOW.names() if name != "start_docking"],
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<transition>[a-z_]+)")
    def transition(self, request: Request, pk: str, transition: str) -> Response:
        """Fire a transition (submit, approve — which also publishes —, return, publish, withdraw,
        close_solved, close_unsolved); return and close_unsolved need a reason."""
        demand = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.demand_transition(
            actor=acting_user(request),
            demand=demand,
            name=transition,
            reason=serializer.validated_data["reason"],
        )
        return Response(self._out(demand))
