from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from techmarket.accounts import policies, selectors, services
from techmarket.accounts.api.serializers import (
    ApiTokenSerializer,
    MeSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from techmarket.accounts.backends import client_address
from techmarket.accounts.http import acting_user
from techmarket.accounts.models import ApiToken
from techmarket.accounts.policies import principal_of
from techmarket.core.errors import DomainError


class TokenView(APIView):
    """Exchange a username and password for an API token (failed attempts are throttled).

    Users who sign in with a second factor (reviewers, platform administrators) also send ``code``.

    The caller's live token is returned while it lasts; it expires after the configured days.
    """

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        request=TokenRequestSerializer, responses={200: TokenSerializer}, operation_id="auth_token"
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise DomainError("invalid_credentials", _("用户名或密码错误；连续失败多次后将暂时锁定。"))
        if policies.two_factor_required(principal_of(user)):
            # The same second factor as the sign-in page: a token must not be a way around it.
            if not selectors.two_factor_enrolled(user):
                raise DomainError(
                    "two_factor_enrolment_required",
                    _("此账号须使用两步验证：请先在网页登录并设置验证器，再申请 API 令牌。"),
                )
            code = serializer.validated_data.get("code") or ""
            if not code:
                raise DomainError(
                    "two_factor_code_required",
                    _("此账号须使用两步验证：请在 code 字段提交验证器应用当前的 6 位验证码。"),
                    fields={"code": [_("请填写验证码。")]},
                )
            services.two_factor_verify(user=user, code=code, address=client_address(request._request))
        token = services.token_issue(user=user)
        return Response({"token": token.key, "expires_at": token.expires_at})


class MeView(APIView):
    """The authenticated caller, with personal data masked."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: MeSerializer}, operation_id="me")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class TokenListView(generics.ListAPIView):
    """The caller's own API tokens (the key itself is never listed, only its first characters)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ApiTokenSerializer

    def get_queryset(self) -> QuerySet[ApiToken]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no caller
            return ApiToken.objects.none()
        return selectors.tokens_of(acting_user(self.request))


class TokenRevokeView(APIView):
    """The caller revokes one of their tokens; it stops working at once."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={200: ApiTokenSerializer}, operation_id="auth_token_revoke")
    def post(self, request: Request, pk: int) -> Response:
        token = get_object_or_404(selectors.tokens_of(acting_user(request)), pk=pk)
        services.token_revoke(actor=request.user, token=token)
        return Response(ApiTokenSerializer(token).data)
