"""The caller's own notifications over REST: list, mark one read, mark all read; their 通知设置."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techmarket.accounts.http import acting_user
from techmarket.notifications import selectors, services
from techmarket.notifications.api.serializers import (
    NotificationSerializer,
    PreferenceChangeSerializer,
    PreferenceSerializer,
    ReadAllSerializer,
)
from techmarket.notifications.models import Notification

TRUE_VALUES = {"1", "true", "yes"}


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """消息通知. Only the caller's own messages, newest first."""

    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list[Any] = []
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        unread = str(self.request.query_params.get("unread", "")).lower() in TRUE_VALUES
        return selectors.inbox(self.request.user, unread_only=unread)

    @extend_schema(
        parameters=[OpenApiParameter("unread", OpenApiTypes.STR, enum=["1", "0"], description=_("只看未读"))]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        notification = services.mark_read(acting_user(request), pk)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses={200: ReadAllSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"updated": services.mark_all_read(acting_user(request))})


class PreferencesView(APIView):
    """通知设置: the caller's channels per group of notices (the in-app message is always kept)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: PreferenceSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(PreferenceSerializer(selectors.preferences(request.user), many=True).data)

    @extend_schema(
        request=PreferenceChangeSerializer(many=True), responses={200: PreferenceSerializer(many=True)}
    )
    def put(self, request: Request) -> Response:
        """Change the groups listed; a group or channel left out keeps its setting."""
        serializer = PreferenceChangeSerializer(data=request.data, many=True)
        serializer.is_valid(raise_exception=True)
        values: dict[str, dict[str, bool]] = {}
        for item in serializer.validated_data:
            values.setdefault(item["group"], {}).update(
                {channel: item[channel] for channel in ("email", "sms") if channel in item}
            )
        rows = services.preferences_set(actor=acting_user(request), values=values)
        return Response(PreferenceSerializer(rows, many=True).data)
