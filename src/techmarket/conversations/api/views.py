"""REST endpoints of conversations: the caller's threads, a thread and its messages, posting (with
attachments, multipart), read markers, joining as the broker and downloading an attachment —
participants only, through the same services and selectors as the pages."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.conversations import selectors, services
from techmarket.conversations.api.serializers import (
    MessageRequestSerializer,
    MessageSerializer,
    ReadSerializer,
    ThreadDetailSerializer,
    ThreadSerializer,
)
from techmarket.conversations.models import Thread
from techmarket.core.api.parsers import JSONParser


class ThreadViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """对接对话: the caller's threads (participants only; anyone else's is 404)."""

    queryset = Thread.objects.none()
    serializer_class = ThreadSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list[Any] = []
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        threads = selectors.threads_of(principal_of(self.request.user))
        kind = self.request.query_params.get("subject_kind", "")
        subject = self.request.query_params.get("subject_id", "")
        if kind:
            threads = threads.filter(subject_kind=kind[:40])
        if subject:
            threads = threads.filter(subject_id=selectors.parse_id(subject))
        return threads

    @extend_schema(
        parameters=[
            OpenApiParameter("subject_kind", OpenApiTypes.STR, description="e.g. demands.demand"),
            OpenApiParameter("subject_id", OpenApiTypes.INT, description="The subject's id."),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The caller's threads, the latest activity first; optionally those about one subject."""
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: ThreadDetailSerializer})
    def retrieve(self, request: Request, pk: str) -> Response:
        thread = selectors.thread_get(principal_of(request.user), pk)
        return Response(ThreadDetailSerializer(thread).data)

    @extend_schema(
        methods=["get"], responses={200: MessageSerializer(many=True)}, description="The thread's messages."
    )
    @extend_schema(
        methods=["post"],
        request={
            "multipart/form-data": MessageRequestSerializer,
            "application/json": MessageRequestSerializer,
        },
        responses={201: MessageSerializer},
        description="Write a message (text, attachments or both); the other participants are notified.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[JSONParser, MultiPartParser, FormParser],
        pagination_class=None,
    )
    def messages(self, request: Request, pk: str) -> Response:
        thread = selectors.thread_get(principal_of(request.user), pk)
        if request.method == "GET":
            return Response(MessageSerializer(selectors.messages_of(thread), many=True).data)
        serializer = MessageRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.message_post(
            actor=acting_user(request),
            thread=thread,
            body=serializer.validated_data["body"],
            files=serializer.validated_data["file"],
        )
        message = selectors.messages_of(thread).get(pk=message.pk)
        return Response(MessageSerializer(message).data, status=201)

    @extend_schema(request=None, responses={200: ReadSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        thread = selectors.thread_get(principal_of(request.user), pk)
        unread = services.thread_mark_read(actor=acting_user(request), thread=thread)
        return Response({"unread": unread})

    @extend_schema(request=None, responses={200: ThreadDetailSerializer})
    @action(detail=True, methods=["post"])
    def join(self, request: Request, pk: str) -> Response:
        thread = selectors.thread_to_join(principal_of(request.user), pk)
        services.thread_join(actor=acting_user(request), thread=thread)
        thread = selectors.thread_get(principal_of(request.user), pk)
        return Response(ThreadDetailSerializer(thread).data)

    @extend_schema(
        parameters=[OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment(self, request: Request, pk: str, attachment_id: str) -> FileResponse:
        found = selectors.attachment_get(principal_of(request.user), pk, attachment_id)
        return FileResponse(
            found.file.open("rb"),
            as_attachment=True,
            filename=found.original_name,
            content_type=found.content_type,
        )
