"""REST endpoints for achievements: thin wrappers over selectors and services."""

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
from techmarket.achievements import selectors, services
from techmarket.achievements.api.serializers import (
    AchievementDetailSerializer,
    AchievementListSerializer,
    AchievementWriteSerializer,
    AuditEventSerializer,
    SuggestionSerializer,
)
from techmarket.achievements.filters import AchievementFilterForm
from techmarket.achievements.models import Achievement
from techmarket.achievements.workflow import ACHIEVEMENT_WORKFLOW
from techmarket.core.api import idempotency
from techmarket.core.api.serializers import TransitionSerializer
from techmarket.core.errors import DomainError

# Lazy descriptions: translated when the schema is rendered, not once at import.
FILTER_PARAMETERS = [
    OpenApiParameter(
        "search", OpenApiTypes.STR, description=gettext_lazy("全文检索（中文分词，按相关度排序）")
    ),
    *[
        OpenApiParameter(
            name, OpenApiTypes.STR, description=getattr(field, "code_label", "") or field.label or ""
        )
        for name, field in AchievementFilterForm.base_fields.items()
        if name not in {"q"}
    ],
]


def _filters_from(request: Request) -> selectors.Filters:
    params = request.query_params.copy()
    if "search" in params:
        params["q"] = str(params.get("search", ""))
    form = AchievementFilterForm(params)
    if not form.is_valid():
        raise DomainError(
            "invalid_filter",
            _("查询参数有误。"),
            fields={name: list(errors) for name, errors in form.errors.items()},
        )
    return form.to_filters()


class AchievementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """科技成果. Lists and shows only what the caller may see (受限 records only to their audience)."""

    queryset = Achievement.objects.none()
    serializer_class = AchievementListSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        principal = principal_of(self.request.user)
        return selectors.achievement_for_list(
            selectors.achievement_filter(
                selectors.achievement_visible(principal), _filters_from(self.request), principal
            )
        )

    def get_object(self) -> Achievement:
        return selectors.achievement_get(principal_of(self.request.user), self.kwargs["pk"])

    def get_serializer_class(self) -> Any:
        return AchievementDetailSerializer if self.action == "retrieve" else AchievementListSerializer

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=AchievementWriteSerializer,
        responses={201: AchievementDetailSerializer},
        parameters=[idempotency.SCHEMA_PARAMETER],
    )
    def create(self, request: Request) -> Response:
        """Register a draft. With an ``Idempotency-Key`` header, a retry returns the first draft instead of
        creating another."""
        serializer = AchievementWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return idempotency.create_once(
            request,
            action="achievements.achievement.create",
            create=lambda key: services.achievement_create(
                actor=acting_user(request), data=dict(serializer.validated_data), submission_key=key
            ),
            present=lambda pk: Response(
                AchievementDetailSerializer(selectors.achievement_get(principal_of(request.user), pk)).data,
                status=201,
            ),
        )

    @extend_schema(request=AchievementWriteSerializer, responses={200: AchievementDetailSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        achievement = self.get_object()
        serializer = AchievementWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.achievement_update(
            actor=acting_user(request),
            achievement=achievement,
            data=dict(serializer.validated_data),
        )
        return Response(
            AchievementDetailSerializer(
                selectors.achievement_get(principal_of(request.user), achievement.pk)
            ).data
        )

    @extend_schema(
        request=TransitionSerializer,
        responses={200: AchievementDetailSerializer},
        parameters=[
            OpenApiParameter(
                "transition", OpenApiTypes.STR, OpenApiParameter.PATH, enum=ACHIEVEMENT_WORKFLOW.names()
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<transition>[a-z_]+)")
    def transition(self, request: Request, pk: str, transition: str) -> Response:
        """Fire a workflow transition (submit, county_approve, city_approve, province_approve, return,
        withdraw, revoke); return and revoke need a reason."""
        achievement = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.achievement_transition(
            actor=acting_user(request),
            achievement=achievement,
            name=transition,
            reason=serializer.validated_data["reason"],
        )
        return Response(
            AchievementDetailSerializer(
                selectors.achievement_get(principal_of(request.user), achievement.pk)
            ).data
        )

    @extend_schema(responses={200: AuditEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str) -> Response:
        achievement = self.get_object()
        events = selectors.timeline_events(achievement, principal_of(request.user))
        return Response(AuditEventSerializer(events, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, required=True)],
        responses={200: SuggestionSerializer},
    )
    @action(detail=False, methods=["get"])
    def suggest(self, request: Request) -> Response:
        prefix = str(request.query_params.get("q", ""))[:50]
        return Response({"suggestions": selectors.achievement_suggest(principal_of(request.user), prefix)})
