from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from techmarket.accounts.api.serializers import MeSerializer, TokenRequestSerializer, TokenSerializer
from techmarket.core.errors import DomainError


class TokenView(APIView):
    """Exchange a username and password for an API token (failed attempts are throttled)."""

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
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(APIView):
    """The authenticated caller, with personal data masked."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: MeSerializer}, operation_id="me")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
