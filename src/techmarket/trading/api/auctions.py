"""The trading floor's API under /api/v1/: auctions (the same policies as the pages).

- ``GET /auctions/``, ``GET /auctions/{id}/``: what the auction page shows (the reserve only to trading
  administrators; a sealed bid's best offer never before the close; the result while published).
- ``GET /auctions/{id}/bids/``: the bid history, bidders pseudonymised (竞买人 01, 02 …).
  ``POST /auctions/{id}/bids/`` with an ``Idempotency-Key`` header: one bid; a retry with the same key
  counts once and answers the same entry.
- ``GET|POST /auctions/{id}/registrations/``: the caller's own registration (every one for
  administrators) / 竞买登记 with ``accept_rules: true``;
  ``POST /auctions/{id}/registrations/{registration_id}/{approve|reject|receive_deposit}/``: administrators;
  ``.../forfeit/`` (reason): administrators keep the deposit of a sold auction's winner who walked away.
- ``POST /auctions/{id}/close/``, ``POST /auctions/{id}/cancel/`` (reason): administrators.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from techmarket.accounts.http import acting_user
from techmarket.accounts.policies import principal_of
from techmarket.core import clock
from techmarket.core.api import idempotency
from techmarket.core.api.serializers import TransitionSerializer
from techmarket.core.errors import DomainError, NotFound, NotPermitted
from techmarket.trading import policies, selectors, services
from techmarket.trading.models import Auction, BidderRegistration, BidLogEntry
from techmarket.trading.workflow import REGISTRATION_WORKFLOW

REGISTRATION_ACTIONS = ("approve", "reject", "receive_deposit", "forfeit")


class AuctionResultSerializer(serializers.Serializer[Any]):
    state = serializers.CharField()
    winner = serializers.CharField(allow_null=True, help_text="竞买人 NN")
    price = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    reason = serializers.CharField()
    closed_at = serializers.DateTimeField()
    published_until = serializers.DateTimeField(allow_null=True)
    log_hash = serializers.CharField()


class AuctionSerializer(serializers.Serializer[Any]):
    """An auction as ``selectors.auction_view`` gives it (``reserve_price`` only for administrators)."""

    id = serializers.IntegerField()
    listing = serializers.IntegerField()
    kind = serializers.CharField()
    state = serializers.CharField()
    start_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    increment = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    deposit = serializers.DecimalField(max_digits=14, decimal_places=2)
    starts_at = serializers.DateTimeField()
    scheduled_end = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    extension_minutes = serializers.IntegerField()
    accepted_bids = serializers.IntegerField()
    current_price = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    minimum_bid = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    running = serializers.BooleanField()
    seconds_left = serializers.IntegerField()
    reserve_price = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, required=False)
    result = AuctionResultSerializer(allow_null=True)

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if "reserve_price" not in instance:
            data.pop("reserve_price", None)
        return data


class BidHistorySerializer(serializers.Serializer[Any]):
    seq = serializers.IntegerField()
    bidder = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    at = serializers.DateTimeField()


class BidInputSerializer(serializers.Serializer[Any]):
    amount = serializers.CharField(max_length=40, help_text="万元，最多两位小数")


class BidEntrySerializer(serializers.Serializer[Any]):
    """The caller's own bid as logged (accepted or rejected with its reason)."""

    seq = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    received_at = serializers.DateTimeField()
    outcome = serializers.CharField()
    reason = serializers.CharField()
    bidder = serializers.CharField(source="registration.pseudonym")
    idempotency_key = serializers.CharField()
    hash = serializers.CharField()


class RegistrationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    bidder = serializers.CharField(source="pseudonym")
    state = serializers.CharField()
    organisation = serializers.CharField(source="organisation.name")
    deposit_received_at = serializers.DateTimeField(allow_null=True)
    forfeited_at = serializers.DateTimeField(allow_null=True)
    forfeit_reason = serializers.CharField()


class RegisterSerializer(serializers.Serializer[Any]):
    accept_rules = serializers.BooleanField(help_text="已阅读并同意竞价规则（必须为 true）")


class AuctionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Auction]):
    """竞价. Auctions are as visible as their listings; writes need a signed-in caller."""

    queryset = Auction.objects.none()
    serializer_class = AuctionSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        return selectors.auction_visible(principal_of(self.request.user))

    def get_object(self) -> Auction:
        return selectors.auction_get(principal_of(self.request.user), self.kwargs["pk"])

    def _view(self, auction: Auction) -> dict[str, Any]:
        return selectors.auction_view(principal_of(self.request.user), auction, clock.now())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = [self._view(auction) for auction in (page if page is not None else self.get_queryset())]
        data = AuctionSerializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(AuctionSerializer(self._view(self.get_object())).data)

    @extend_schema(
        methods=["GET"], responses={200: BidHistorySerializer(many=True)}, summary="The bid history"
    )
    @extend_schema(
        methods=["POST"],
        request=BidInputSerializer,
        responses={201: BidEntrySerializer},
        parameters=[
            OpenApiParameter(idempotency.HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True)
        ],
        summary="Place a bid",
    )
    @action(detail=True, methods=["get", "post"])
    def bids(self, request: Request, pk: str) -> Response:
        """GET: the accepted bids, pseudonymised (a sealed bid's amounts hidden until the close). POST: bid
        ``amount`` (万元); the ``Idempotency-Key`` header is required and a retry with it counts once.
        A refused bid answers 409 with the reason (it is logged; nothing else changes)."""
        auction = self.get_object()
        if request.method == "GET":
            return Response(BidHistorySerializer(selectors.bid_history(auction), many=True).data)
        actor = acting_user(request)
        if not policies.is_registered_bidder(principal_of(actor), auction):
            raise NotPermitted(_("您尚未登记为本场竞价的竞买人。"))
        amount = request.data.get("amount") if hasattr(request.data, "get") else None
        if isinstance(amount, (dict, list, bool)):
            amount = None
        entry: BidLogEntry = services.place_bid(
            actor=actor,
            auction=auction,
            amount=amount,
            idempotency_key=request.headers.get(idempotency.HEADER, "")[:200],
        )
        return Response(BidEntrySerializer(entry).data, status=201)

    @extend_schema(methods=["GET"], responses={200: RegistrationSerializer(many=True)})
    @extend_schema(methods=["POST"], request=RegisterSerializer, responses={201: RegistrationSerializer})
    @action(detail=True, methods=["get", "post"])
    def registrations(self, request: Request, pk: str) -> Response:
        """GET: the caller's own registration (every one for administrators). POST: 竞买登记, with
        ``accept_rules: true`` (the rules are in the auction's page and fields)."""
        auction = self.get_object()
        principal = principal_of(request.user)
        if request.method == "GET":
            acting_user(request)
            if policies.can_manage_auctions(principal):
                rows: Any = selectors.registrations_for_admin(auction)
            else:
                own = selectors.registration_of(principal, auction)
                rows = [own] if own else []
            return Response(RegistrationSerializer(rows, many=True).data)
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = services.registration_apply(
            actor=acting_user(request),
            auction=auction,
            rules_accepted=serializer.validated_data["accept_rules"],
        )
        return Response(RegistrationSerializer(registration).data, status=201)

    @extend_schema(
        operation_id="auctions_registration_decide",
        request=TransitionSerializer,
        responses={200: RegistrationSerializer},
        parameters=[
            OpenApiParameter("registration_id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("decision", OpenApiTypes.STR, OpenApiParameter.PATH, enum=REGISTRATION_ACTIONS),
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"registrations/(?P<registration_id>\d+)/(?P<decision>[a-z_]+)",
        url_name="registration-decide",
    )
    def registration_decide(self, request: Request, pk: str, registration_id: str, decision: str) -> Response:
        """Administrators: approve, reject (reason) or mark the deposit (保证金) received; after a sale,
        ``forfeit`` (reason) keeps the winner's deposit when the winner walks away."""
        auction = self.get_object()
        actor = acting_user(request)
        if not policies.can_manage_auctions(principal_of(actor)):
            raise NotPermitted()
        if decision not in REGISTRATION_ACTIONS:
            REGISTRATION_WORKFLOW.get(decision)
            raise DomainError("invalid_transition", _("未知的操作：%(name)s") % {"name": decision})
        registration = BidderRegistration.objects.filter(auction=auction, pk=registration_id).first()
        if registration is None:
            raise NotFound()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = services.registration_transition(
            actor=actor, registration=registration, name=decision, reason=serializer.validated_data["reason"]
        )
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(request=None, responses={200: AuctionSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        """Administrators close the auction after its end (the periodic job does it otherwise)."""
        auction = self.get_object()
        actor = acting_user(request)
        if not policies.can_manage_auctions(principal_of(actor)):
            raise NotPermitted()
        services.close_auction(auction_id=auction.pk, actor=actor)
        return Response(AuctionSerializer(self._view(self.get_object())).data)

    @extend_schema(request=TransitionSerializer, responses={200: AuctionSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Administrators cancel a running auction, with the reason; deposits are to be refunded."""
        auction = self.get_object()
        actor = acting_user(request)
        if not policies.can_manage_auctions(principal_of(actor)):
            raise NotPermitted()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.auction_cancel(actor=actor, auction=auction, reason=serializer.validated_data["reason"])
        return Response(AuctionSerializer(self._view(self.get_object())).data)


router = SimpleRouter()
router.register("auctions", AuctionViewSet, basename="auction")

urlpatterns = router.urls
