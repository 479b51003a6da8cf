"""Read-only code tables for API clients: the region tree (GB/T 2260) and classifications."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets

from techmarket.core.choices import ClassificationScheme, RegionLevel
from techmarket.core.models import Classification, Region


class RegionSerializer(serializers.ModelSerializer[Region]):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class ClassificationSerializer(serializers.ModelSerializer[Classification]):
    # Relations are shown by code (the standard's identifier), not by database id.
    serializer_related_field = serializers.SlugRelatedField

    class Meta:
        model = Classification
        fields = ["scheme", "code", "name", "parent"]
        extra_kwargs = {"parent": {"slug_field": "code", "read_only": True}}


@extend_schema(
    parameters=[
        OpenApiParameter("level", OpenApiTypes.STR, enum=RegionLevel.values, description=_("级别")),
        OpenApiParameter("parent", OpenApiTypes.STR, description=_("上级区划代码")),
    ]
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet[Region]):
    """行政区划（GB/T 2260）."""

    serializer_class = RegionSerializer
    lookup_field = "code"
    lookup_value_regex = r"\d{6}"

    def get_queryset(self) -> Any:
        queryset = Region.objects.all()
        level = self.request.query_params.get("level")
        parent = self.request.query_params.get("parent", "").replace("\x00", "")  # PostgreSQL text has no NUL
        if level in RegionLevel.values:
            queryset = queryset.filter(level=level)
        if parent:
            queryset = queryset.filter(parent_id=str(parent)[:6])
        return queryset


@extend_schema(
    parameters=[
        OpenApiParameter(
            "scheme", OpenApiTypes.STR, enum=ClassificationScheme.values, description=_("分类体系")
        ),
        OpenApiParameter("parent", OpenApiTypes.STR, description=_("上级代码")),
    ]
)
class ClassificationViewSet(viewsets.ReadOnlyModelViewSet[Classification]):
    """学科（GB/T 13745）与行业（GB/T 4754）分类代码."""

    serializer_class = ClassificationSerializer

    def get_queryset(self) -> Any:
        queryset = Classification.objects.select_related("parent")
        scheme = self.request.query_params.get("scheme")
        parent = self.request.query_params.get("parent", "").replace("\x00", "")  # PostgreSQL text has no NUL
        if scheme in ClassificationScheme.values:
            queryset = queryset.filter(scheme=scheme)
        if parent:
            queryset = queryset.filter(parent__code=str(parent)[:16])
        return queryset
