"""The expert pool over REST, read-only: what the pages show, with contact details masked."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from techmarket.accounts.policies import principal_of
from techmarket.experts import selectors
from techmarket.experts.api.serializers import ExpertSerializer
from techmarket.experts.models import ExpertProfile

TRUE_VALUES = {"1", "true", "yes"}
FALSE_VALUES = {"0", "false", "no"}


class ExpertViewSet(viewsets.ReadOnlyModelViewSet):
    """专家库. Active experts for everyone; contact details masked for all but the expert, their
    editors, platform administrators and reviewers."""

    queryset = ExpertProfile.objects.none()
    serializer_class = ExpertSerializer
    filter_backends: list[Any] = []
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        params = self.request.query_params
        commissioner = str(params.get("commissioner", "")).lower()
        principal = principal_of(self.request.user)
        experts = selectors.expert_list(
            principal,
            query=str(params.get("search", ""))[:100],
            region=str(params.get("region", ""))[:6],
            commissioner=True
            if commissioner in TRUE_VALUES
            else False
            if commissioner in FALSE_VALUES
            else None,
        )
        return selectors.with_linked_achievements(principal, experts)

    def get_object(self) -> ExpertProfile:
        return selectors.expert_detail(principal_of(self.request.user), self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("search", OpenApiTypes.STR, description=_("姓名、研究方向或单位")),
            OpenApiParameter("region", OpenApiTypes.STR, description=_("行政区划代码（含下级地区）")),
            OpenApiParameter("commissioner", OpenApiTypes.STR, enum=["1", "0"], description=_("科技特派员")),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
