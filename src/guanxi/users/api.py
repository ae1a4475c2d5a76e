from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _g
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from . import services
from .models import ApiToken, User


class TokenSerializer(serializers.ModelSerializer):
    expires_days = serializers.IntegerField(write_only=True, required=False, min_value=1, max_value=3650)
    key = serializers.SerializerMethodField(help_text="The key, returned once when the token is created.")

    class Meta:
        model = ApiToken
        fields = (
            "id",
            "name",
            "prefix",
            "read_only",
            "scopes",
            "expires_at",
            "created_at",
            "last_used_at",
            "last_used_ip",
            "revoked_at",
            "expires_days",
            "key",
        )
        read_only_fields = (
            "prefix",
            "expires_at",
            "created_at",
            "last_used_at",
            "last_used_ip",
            "revoked_at",
            "scopes",
        )

    def get_key(self, obj: ApiToken) -> str | None:
        return self.context.get("new_key")


class TokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in user's API tokens. DELETE revokes a token at once."""

    serializer_class = TokenSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = ApiToken.objects.none()
    pagination_class = None

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(user=self.request.user)

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if getattr(request.auth, "read_only", False) and request.method not in permissions.SAFE_METHODS:
            self.permission_denied(request, message=_g("This token is read-only."))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token, key = services.token_create(
            actor=request.user,
            user=request.user,
            name=data.get("name", ""),
            read_only=data.get("read_only", False),
            expires_days=data.get("expires_days"),
        )
        return Response(TokenSerializer(token, context={"new_key": key}).data, status=201)

    def perform_destroy(self, instance: ApiToken) -> None:
        services.token_revoke(actor=self.request.user, token=instance)


class UserSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ("id", "username", "name", "email", "team", "role", "language", "is_active")
        read_only_fields = fields


@extend_schema(description="Active users, for choosing owners.")
class UserViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UserSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = User.objects.none()
    pagination_class = None

    def get_queryset(self) -> QuerySet[User]:
        return User.objects.filter(is_active=True).order_by("username")
