"""The trading floor's API under /api/v1/: listings and objections (the same policies as the pages).

A listing is answered as ``selectors.listing_public_view`` reads it for the caller: a 受限 achievement's
hidden fields are absent, the confidential detail only for the parties. Invisible listings are 404;
visible ones the caller may not act on are 403. Creates honour ``Idempotency-Key``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import Principal, principal_of
from techmarket.achievements import selectors as achievement_selectors
from techmarket.core.api import idempotency
from techmarket.core.api.serializers import TransitionSerializer
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.trading import policies, selectors, services
from techmarket.trading.choices import LicenseKind, ListingMode, ListingState, Pricing, PublicField
from techmarket.trading.forms import ListingFilterForm
from techmarket.trading.models import Listing, Objection
from techmarket.trading.workflow import LISTING_WORKFLOW, OBJECTION_WORKFLOW

# --- serializers ------------------------------------------------------------------------------------------


class ListingSerializer(serializers.Serializer[Any]):
    """A listing as the caller may read it: fields a 受限 achievement's owner did not make public are
    absent, ``confidential_detail`` only for the seller, its agency and administrators."""

    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=ListingState.choices)
    pricing = serializers.ChoiceField(choices=Pricing.choices)
    region = serializers.CharField(help_text=gettext_lazy("地区代码"))
    title = serializers.CharField(required=False)
    achievement = serializers.IntegerField(required=False, help_text=gettext_lazy("成果名称公开时给出"))
    mode = serializers.ChoiceField(choices=ListingMode.choices, required=False)
    license_kind = serializers.CharField(required=False)
    license_territory = serializers.CharField(required=False)
    license_term_months = serializers.IntegerField(required=False, allow_null=True)
    price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    public_summary = serializers.CharField(required=False)
    confidential_detail = serializers.CharField(required=False)
    public_fields = serializers.ListField(child=serializers.CharField(), required=False)
    listing_days = serializers.IntegerField(required=False)
    notice_starts_at = serializers.DateTimeField(allow_null=True)
    notice_ends_at = serializers.DateTimeField(allow_null=True)
    opened_at = serializers.DateTimeField(allow_null=True)
    open_until = serializers.DateTimeField(allow_null=True)
    transitions = serializers.ListField(
        child=serializers.CharField(), help_text=gettext_lazy("调用者现在可执行的操作")
    )


def present(principal: Principal, listing: Listing, user: Any) -> dict[str, Any]:
    """The listing as ``principal`` may read it (``listing_public_view``) with its public dates."""
    view = selectors.listing_public_view(principal, listing)
    view.update(
        region=listing.region_id,
        notice_starts_at=listing.notice_starts_at,
        notice_ends_at=listing.notice_ends_at,
        opened_at=listing.opened_at,
        open_until=listing.open_until,
        transitions=[t.name for t in LISTING_WORKFLOW.available(listing, user)],
    )
    if "title" in view:
        view["achievement"] = listing.achievement_id
    if policies.has_full_view(principal, listing):
        view.update(public_fields=listing.public_fields, listing_days=listing.listing_days)
    # Absent stays absent (a nullable field would otherwise come back as null).
    return {key: value for key, value in ListingSerializer(view).data.items() if key in view}


class ListingWriteSerializer(serializers.Serializer[Any]):
    """A listing's terms. ``price`` is text (万元, at most two decimals): a malformed one is the service's
    clear error. ``achievement`` (and ``authorisation`` for an agency) only on create."""

    achievement = serializers.IntegerField(required=False)
    authorisation = serializers.IntegerField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200, required=False)
    mode = serializers.ChoiceField(choices=ListingMode.choices, required=False)
    license_kind = serializers.ChoiceField(choices=LicenseKind.choices, required=False, allow_blank=True)
    license_territory = serializers.CharField(max_length=200, required=False, allow_blank=True)
    license_term_months = serializers.IntegerField(
        min_value=1, max_value=1200, required=False, allow_null=True
    )
    pricing = serializers.ChoiceField(choices=Pricing.choices, required=False)
    price = serializers.CharField(max_length=32, required=False, allow_blank=True, allow_null=True)
    listing_days = serializers.IntegerField(min_value=1, max_value=730, required=False)
    public_summary = serializers.CharField(required=False, allow_blank=True)
    confidential_detail = serializers.CharField(required=False, allow_blank=True)
    public_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=PublicField.choices), required=False
    )


class ObjectionSerializer(serializers.ModelSerializer[Objection]):
    filed_by = serializers.CharField(source="filed_by.__str__", read_only=True)

    class Meta:
        model = Objection
        fields = ["id", "listing", "state", "reason", "evidence", "filed_by", "created_at", "resolved_at"]
        read_only_fields = fields


class ObjectionWriteSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000, allow_blank=True)
    evidence = serializers.CharField(max_length=4000, allow_blank=True)


FILTER_PARAMETERS = [
    OpenApiParameter("search", OpenApiTypes.STR, description=gettext_lazy("检索挂牌名称和公开摘要")),
    *[
        OpenApiParameter(
            name, OpenApiTypes.STR, description=getattr(field, "code_label", "") or field.label or ""
        )
        for name, field in ListingFilterForm.base_fields.items()
        if name != "q"
    ],
]


def _filters_from(request: Request) -> selectors.ListingFilters:
    params = request.query_params.copy()
    if "search" in params:
        params["q"] = str(params.get("search", ""))
    form = ListingFilterForm(params)
    if not form.is_valid():
        raise DomainError(
            "invalid_filter",
            _("查询参数有误。"),
            fields={name: list(errors) for name, errors in form.errors.items()},
        )
    return form.to_filters()


# --- views ------------------------------------------------------------------------------------------------


class ListingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """挂牌项目. Lists the listings the caller may see (public ones in notice or later; the parties' own in
    any state) with the same field rules as the pages."""

    queryset = Listing.objects.none()
    serializer_class = ListingSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        principal = principal_of(self.request.user)
        rows = selectors.listing_visible(principal).select_related("achievement", "authorisation", "region")
        return selectors.listing_filter(principal, rows.order_by("-id"), _filters_from(self.request))

    def get_object(self) -> Listing:
        return selectors.listing_get(principal_of(self.request.user), self.kwargs["pk"])

    def _answer(self, listing: Listing, status: int = 200) -> Response:
        request = self.request
        fresh = selectors.listing_get(principal_of(request.user), listing.pk)
        return Response(present(principal_of(request.user), fresh, request.user), status=status)

    @extend_schema(parameters=FILTER_PARAMETERS, responses={200: ListingSerializer(many=True)})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        principal = principal_of(request.user)
        page = self.paginate_queryset(self.get_queryset())
        rows = [present(principal, listing, request.user) for listing in page or []]
        return self.get_paginated_response(rows)

    @extend_schema(responses={200: ListingSerializer})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(present(principal_of(request.user), self.get_object(), request.user))

    @extend_schema(
        request=ListingWriteSerializer,
        responses={201: ListingSerializer},
        parameters=[idempotency.SCHEMA_PARAMETER],
    )
    def create(self, request: Request) -> Response:
        """挂牌: a draft listing of a published achievement the caller's organisation owns (or, with
        ``authorisation``, one an owner authorised the caller's agency for). With an ``Idempotency-Key``
        header a retry returns the first draft."""
        serializer = ListingWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        achievement_id = data.pop("achievement", None)
        authorisation_id = data.pop("authorisation", None)
        if achievement_id is None:
            raise DomainError("invalid", _("请指定要挂牌的科技成果。"), fields={"achievement": [_("必填。")]})
        principal = principal_of(request.user)
        if authorisation_id:
            authorisation = (
                selectors.active_authorisations_for_agency(principal)
                .select_related("achievement")
                .filter(pk=authorisation_id, achievement_id=achievement_id)
                .first()
            )
            if authorisation is None or not policies.AGENT_ROLES & principal.roles:
                raise NotPermitted(_("授权已失效或不属于本机构。"))
            achievement = authorisation.achievement
        else:
            authorisation = None
            achievement = achievement_selectors.achievement_get(principal, achievement_id)
        return idempotency.create_once(
            request,
            action="trading.listing.create",
            create=lambda key: services.listing_create(
                actor=acting_user(request),
                achievement=achievement,
                authorisation=authorisation,
                data=data,
                submission_key=key,
            ),
            present=lambda pk: Response(
                present(principal, selectors.listing_get(principal, pk), request.user), status=201
            ),
        )

    @extend_schema(request=ListingWriteSerializer, responses={200: ListingSerializer})
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change a draft or returned listing (its seller or agency)."""
        listing = self.get_object()
        serializer = ListingWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {
            k: v for k, v in serializer.validated_data.items() if k not in ("achievement", "authorisation")
        }
        services.listing_update(actor=acting_user(request), listing=listing, data=data)
        return self._answer(listing)

    @extend_schema(
        request=TransitionSerializer,
        responses={200: ListingSerializer},
        parameters=[
            OpenApiParameter(
                "transition", OpenApiTypes.STR, OpenApiParameter.PATH, enum=LISTING_WORKFLOW.names()
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<transition>[a-z_]+)")
    def transition(self, request: Request, pk: str, transition: str) -> Response:
        """Fire a transition: submit, approve, return (reason), withdraw, suspend (reason), resume.
        Negotiations and deals are opened and made under /api/v1/negotiations/ and /offers/."""
        listing = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.listing_transition(
            actor=acting_user(request),
            listing=listing,
            name=transition,
            reason=serializer.validated_data["reason"],
        )
        return self._answer(listing)

    @extend_schema(
        methods=["get"],
        responses={200: ObjectionSerializer(many=True)},
        description=gettext_lazy("该挂牌中调用者可查看的异议（管理员、成果方、异议人）。"),
    )
    @extend_schema(
        methods=["post"],
        request=ObjectionWriteSerializer,
        responses={201: ObjectionSerializer},
        parameters=[idempotency.SCHEMA_PARAMETER],
        description=gettext_lazy("公示期内提出异议（理由和证据）；支持 Idempotency-Key。"),
    )
    @action(detail=True, methods=["get", "post"])
    def objections(self, request: Request, pk: str) -> Response:
        listing = self.get_object()
        principal = principal_of(request.user)
        if request.method == "GET":
            return Response(ObjectionSerializer(selectors.objections_of(principal, listing), many=True).data)
        serializer = ObjectionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return idempotency.create_once(
            request,
            action="trading.objection.file",
            create=lambda key: services.objection_file(
                actor=acting_user(request),
                listing=listing,
                reason=serializer.validated_data["reason"],
                evidence=serializer.validated_data["evidence"],
                submission_key=key,
            ),
            present=lambda objection_pk: Response(
                ObjectionSerializer(selectors.objection_get(principal, objection_pk)).data, status=201
            ),
        )


class ObjectionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """异议: read by administrators, the seller and the filer; administrators uphold or dismiss them."""

    queryset = Objection.objects.none()
    serializer_class = ObjectionSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends: list[Any] = []
    lookup_value_regex = r"\d+"

    def get_object(self) -> Objection:
        return selectors.objection_get(principal_of(self.request.user), self.kwargs["pk"])

    @extend_schema(
        request=TransitionSerializer,
        responses={200: ObjectionSerializer},
        parameters=[
            OpenApiParameter(
                "transition", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["uphold", "dismiss"]
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<transition>[a-z_]+)")
    def transition(self, request: Request, pk: str, transition: str) -> Response:
        """uphold (the listing is suspended) or dismiss, with a reason: trading administrators."""
        objection = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if transition not in OBJECTION_WORKFLOW.names():
            OBJECTION_WORKFLOW.get(transition)
        done = services.objection_transition(
            actor=acting_user(request),
            objection=objection,
            name=transition,
            reason=serializer.validated_data["reason"],
        )
        return Response(ObjectionSerializer(done).data)


router = SimpleRouter()
router.register("listings", ListingViewSet, basename="listing")
router.register("listing-objections", ObjectionViewSet, basename="listing-objection")

urlpatterns = router.urls
