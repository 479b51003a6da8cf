"""REST endpoints for matching: a demand's suggestions and decisions, and reverse matches."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.achievements import selectors as achievement_selectors
from techmarket.core.errors import NotPermitted
from techmarket.demands import selectors as demand_selectors
from techmarket.matching import policies, selectors, services
from techmarket.matching.api.serializers import (
    DecisionSerializer,
    ListingAlertSerializer,
    MatchSuggestionSerializer,
    ReverseMatchSerializer,
)
from techmarket.matching.models import Suggestion


class SuggestionViewSet(viewsets.GenericViewSet):
    """匹配建议 of one demand (``?demand=ID``), for its responders; decisions as actions."""

    queryset = Suggestion.objects.none()
    serializer_class = MatchSuggestionSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list[Any] = []
    lookup_value_regex = r"\d+"

    def _suggestion(self, pk: str) -> Suggestion:
        return selectors.suggestion_get(principal_of(self.request.user), pk)

    @extend_schema(
        parameters=[OpenApiParameter("demand", OpenApiTypes.INT, required=True)],
        responses={200: MatchSuggestionSerializer(many=True)},
    )
    def list(self, request: Request) -> Response:
        principal = principal_of(request.user)
        demand = demand_selectors.demand_get(principal, request.query_params.get("demand", ""))
        if not policies.can_see_suggestions(principal, demand):
            raise NotPermitted()
        return Response(
            MatchSuggestionSerializer(selectors.suggestions_for(demand, principal), many=True).data
        )

    @extend_schema(request=DecisionSerializer, responses={200: MatchSuggestionSerializer})
    @action(detail=True, methods=["post"], url_path=r"(?P<decision>confirm|reject|reconsider)")
    def decide(self, request: Request, pk: str, decision: str) -> Response:
        """Confirm, reject (with ``reject_reason``) or reconsider a suggestion."""
        suggestion = self._suggestion(pk)
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actor, note = acting_user(request), serializer.validated_data["note"]
        if decision == "confirm":
            suggestion = services.suggestion_confirm(actor=actor, suggestion=suggestion, note=note)
        elif decision == "reject":
            suggestion = services.suggestion_reject(
                actor=actor,
                suggestion=suggestion,
                reason=serializer.validated_data["reject_reason"],
                note=note,
            )
        else:
            suggestion = services.suggestion_reconsider(actor=actor, suggestion=suggestion)
        return Response(MatchSuggestionSerializer(suggestion, context={"request": request}).data)


class ReverseMatchViewSet(viewsets.GenericViewSet):
    """Open demands that need an achievement (reverse matching)."""

    queryset = Suggestion.objects.none()
    serializer_class = ReverseMatchSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list[Any] = []
    lookup_value_regex = r"\d+"

    @extend_schema(responses={200: ReverseMatchSerializer(many=True)})
    def retrieve(self, request: Request, pk: str) -> Response:
        principal = principal_of(request.user)
        achievement = achievement_selectors.achievement_get(principal, pk)
        if not policies.can_see_reverse(principal, achievement):
            raise NotPermitted()
        return Response(
            ReverseMatchSerializer(selectors.reverse_matches(achievement, viewer=principal), many=True).data
        )


class ListingAlertViewSet(viewsets.GenericViewSet):
    """新挂牌匹配提醒 of a demand (by the demand's id): read and switched by its enterprise."""

    queryset = Suggestion.objects.none()
    serializer_class = ListingAlertSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list[Any] = []
    lookup_value_regex = r"\d+"

    def _demand(self, pk: str) -> Any:
        principal = principal_of(self.request.user)
        demand = demand_selectors.demand_get(principal, pk)
        if not policies.can_set_listing_alert(principal, demand):
            raise NotPermitted()
        return demand

    @extend_schema(responses={200: ListingAlertSerializer})
    def retrieve(self, request: Request, pk: str) -> Response:
        demand = self._demand(pk)
        return Response({"demand": demand.pk, "enabled": selectors.listing_alert_enabled(demand)})

    @extend_schema(request=ListingAlertSerializer, responses={200: ListingAlertSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        demand = self._demand(pk)
        serializer = ListingAlertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enabled = services.listing_alert_set(
            actor=acting_user(request), demand=demand, enabled=serializer.validated_data["enabled"]
        )
        return Response({"demand": demand.pk, "enabled": enabled})
