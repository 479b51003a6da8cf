"""The trading floor's API under /api/v1/: staged disclosure (the same policies as the pages).

- ``disclosure-requests/``: the caller's own requests (``?side=seller``: those on listings the caller
  decides); POST asks for a listing's confidential detail with the NDA version accepted.
- ``disclosure-requests/{id}/`` and ``…/decide/`` (grant with days, refuse or revoke with a reason).
- ``listings/{id}/nda/``: the current NDA terms (anyone who may see the listing); POST writes a version.
- ``listings/{id}/documents/`` and ``…/{document_id}/download/``: as the pages (a confidential PDF is
  watermarked, every download logged).
- ``listings/{id}/confidential/``: the confidential detail and documents, logged; 404 for anyone else.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.core.api.pagination import Pagination
from techmarket.core.api.parsers import JSONParser
from techmarket.core.errors import NotFound
from techmarket.trading import policies, selectors, services
from techmarket.trading.choices import AccessChannel, DisclosureState
from techmarket.trading.models import DisclosureRequest, ListingDocument, NdaTerms


class NdaSerializer(serializers.ModelSerializer[NdaTerms]):
    # Declared: the model field's range differs by database, and the committed schema must not.
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = NdaTerms
        fields = ["id", "version", "text", "created_at"]


class NdaWriteSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=services.MAX_NDA_CHARS, allow_blank=True)


class DisclosureRequestSerializer(serializers.ModelSerializer[DisclosureRequest]):
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    user = serializers.SerializerMethodField()
    nda_version = serializers.IntegerField(source="nda.version", read_only=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = DisclosureRequest
        fields = [
            "id",
            "listing",
            "user",
            "organisation",
            "nda",
            "nda_version",
            "nda_accepted_at",
            "state",
            "granted_until",
            "active",
            "decided_at",
            "reason",
            "created_at",
        ]
        read_only_fields = fields

    def get_user(self, obj: DisclosureRequest) -> str:
        return obj.user.display_name or obj.user.username

    def get_active(self, obj: DisclosureRequest) -> bool:
        """Whether the grant gives access now (granted and not run out)."""
        return selectors.grant_is_current(obj)


class DisclosureCreateSerializer(serializers.Serializer[Any]):
    listing = serializers.IntegerField()
    nda = serializers.IntegerField(
        help_text="The id of the NDA version shown and accepted (the current one)."
    )
    accept = serializers.BooleanField(help_text="Must be true: the caller accepts that NDA version.")


class DecideSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=["grant", "refuse", "revoke"])
    days = serializers.CharField(required=False, allow_blank=True, default="", help_text="For grant: 1–365.")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DocumentSerializer(serializers.ModelSerializer[ListingDocument]):
    download = serializers.SerializerMethodField()

    class Meta:
        model = ListingDocument
        fields = [
            "id",
            "title",
            "confidential",
            "original_name",
            "content_type",
            "size",
            "created_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, obj: ListingDocument) -> str:
        return f"/api/v1/listings/{obj.listing_id}/documents/{obj.pk}/download/"


class DocumentUploadSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, allow_blank=True)
    file = serializers.FileField()
    confidential = serializers.BooleanField(default=False)


class ConfidentialSerializer(serializers.Serializer[Any]):
    listing = serializers.IntegerField()
    confidential_detail = serializers.CharField()
    documents = DocumentSerializer(many=True)


def _listing(request: Request, pk: Any) -> Any:
    return selectors.listing_get(principal_of(request.user), pk)


class DisclosureRequestListView(APIView):
    """保密信息查看申请: the caller's own, or (``side=seller``) those on listings the caller decides."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        parameters=[OpenApiParameter("side", OpenApiTypes.STR, enum=["mine", "seller"])],
        responses={200: DisclosureRequestSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        principal = principal_of(request.user)
        if request.query_params.get("side") == "seller":
            requests = selectors.requests_to_decide(principal)
        else:
            requests = selectors.requests_of(principal)
        state = request.query_params.get("state", "")
        if state in DisclosureState.values:
            requests = requests.filter(state=state)
        paginator = Pagination()
        page = paginator.paginate_queryset(requests, request, view=self)
        return paginator.get_paginated_response(DisclosureRequestSerializer(page, many=True).data)

    @extend_schema(request=DisclosureCreateSerializer, responses={201: DisclosureRequestSerializer})
    def post(self, request: Request) -> Response:
        serializer = DisclosureCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        listing = _listing(request, serializer.validated_data["listing"])
        created = services.disclosure_request(
            actor=acting_user(request),
            listing=listing,
            nda_id=serializer.validated_data["nda"],
            accepted=serializer.validated_data["accept"],
        )
        return Response(DisclosureRequestSerializer(created).data, status=201)


class DisclosureRequestDetailView(APIView):
    """One request: its requester's and its deciders'."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: DisclosureRequestSerializer})
    def get(self, request: Request, pk: int) -> Response:
        found = selectors.request_get(principal_of(request.user), pk)
        return Response(DisclosureRequestSerializer(found).data)


class DisclosureDecideView(APIView):
    """Grant for N days, refuse or revoke with a reason: the seller, its agency, trading administrators."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, FormParser]

    @extend_schema(request=DecideSerializer, responses={200: DisclosureRequestSerializer})
    def post(self, request: Request, pk: int) -> Response:
        principal = principal_of(request.user)
        found = selectors.request_get(principal, pk)
        if not policies.can_manage_disclosure(principal, found.listing):
            raise NotFound()
        serializer = DecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decided = services.disclosure_decide(
            actor=acting_user(request), request=found, **serializer.validated_data
        )
        return Response(DisclosureRequestSerializer(decided).data)


class NdaView(APIView):
    """A listing's current NDA terms (to show and accept); the seller or agency writes a new version."""

    parser_classes = [JSONParser, FormParser]

    @extend_schema(responses={200: NdaSerializer})
    def get(self, request: Request, pk: int) -> Response:
        listing = _listing(request, pk)
        current = selectors.nda_current(listing)
        if current is None:
            raise NotFound()
        return Response(NdaSerializer(current).data)

    @extend_schema(request=NdaWriteSerializer, responses={201: NdaSerializer})
    def post(self, request: Request, pk: int) -> Response:
        listing = _listing(request, pk)
        if not policies.can_edit_disclosure(principal_of(request.user), listing):
            raise NotFound()
        serializer = NdaWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        terms = services.nda_set(
            actor=acting_user(request), listing=listing, text=serializer.validated_data["text"]
        )
        return Response(NdaSerializer(terms).data, status=201)


class DocumentListView(APIView):
    """The listing's documents the caller may download; the seller or agency uploads (multipart)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses={200: DocumentSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        listing = _listing(request, pk)
        documents = selectors.documents_for(principal_of(request.user), listing)
        return Response(DocumentSerializer(documents, many=True).data)

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer}, responses={201: DocumentSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        listing = _listing(request, pk)
        if not policies.can_edit_disclosure(principal_of(request.user), listing):
            raise NotFound()
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = services.document_upload(
            actor=acting_user(request),
            listing=listing,
            title=serializer.validated_data["title"],
            upload=serializer.validated_data["file"],
            confidential=serializer.validated_data["confidential"],
        )
        return Response(DocumentSerializer(document).data, status=201)


class DocumentDownloadView(APIView):
    """A document by the pages' rules: a confidential PDF watermarked for the caller; logged."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request: Request, pk: int, document_id: int) -> HttpResponse:
        document = selectors.document_get(principal_of(request.user), pk, document_id)
        download = services.document_download(
            actor=request.user, document=document, channel=AccessChannel.API
        )
        response = HttpResponse(download.content, content_type=download.content_type)
        response["Content-Disposition"] = (
            content_disposition_header(as_attachment=True, filename=download.filename) or "attachment"
        )
        response["Cache-Control"] = "private, no-store"
        return response


class ConfidentialView(APIView):
    """The confidential detail and documents (logged); 404 for anyone who may not see them."""

    @extend_schema(responses={200: ConfidentialSerializer})
    def get(self, request: Request, pk: int) -> Response:
        listing = _listing(request, pk)
        view = services.confidential_view(actor=request.user, listing=listing, channel=AccessChannel.API)
        return Response(
            {
                "listing": view["listing"],
                "confidential_detail": view["confidential_detail"],
                "documents": DocumentSerializer(view["documents"], many=True).data,
            }
        )


urlpatterns: list[URLPattern] = [
    path("disclosure-requests/", DisclosureRequestListView.as_view(), name="disclosure-request-list"),
    path(
        "disclosure-requests/<int:pk>/",
        DisclosureRequestDetailView.as_view(),
        name="disclosure-request-detail",
    ),
    path(
        "disclosure-requests/<int:pk>/decide/",
        DisclosureDecideView.as_view(),
        name="disclosure-request-decide",
    ),
    path("listings/<int:pk>/nda/", NdaView.as_view(), name="listing-nda"),
    path("listings/<int:pk>/documents/", DocumentListView.as_view(), name="listing-documents"),
    path(
        "listings/<int:pk>/documents/<int:document_id>/download/",
        DocumentDownloadView.as_view(),
        name="listing-document-download",
    ),
    path("listings/<int:pk>/confidential/", ConfidentialView.as_view(), name="listing-confidential"),
]
