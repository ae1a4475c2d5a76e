from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _g
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from . import services
from .authentication import scope_allows
from .models import ApiToken, User


class TokenSerializer(serializers.ModelSerializer):
    expires_days = serializers.IntegerField(write_only=True, required=False, min_value=1, max_value=3650)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=services.token_scope_choices()),
        required=False,
        max_length=50,
        help_text="`<group>:read` or `<group>:write` per API group; empty: whatever the user's role allows.",
    )
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
        # A revoked token is gone for the API (DELETE, then GET → 404); the tokens page still lists it.
        user = self.request.user
        assert isinstance(user, User)  # IsAuthenticated
        return ApiToken.objects.filter(user=user, revoked_at__isnull=True)

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if getattr(request.auth, "read_only", False) and request.method not in permissions.SAFE_METHODS:
            self.permission_denied(request, message=_g("This token is read-only."))
        if not scope_allows(request.auth, "admin", write=request.method not in permissions.SAFE_METHODS):
            self.permission_denied(request, message=_g("Managing tokens needs a token with the admin scope."))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        scopes = services.clean_scopes(data.get("scopes"))
        caller = request.auth
        within = all(scope_allows(caller, s.split(":")[0], write=s.endswith(":write")) for s in scopes)
        if isinstance(caller, ApiToken) and caller.scopes and not (scopes and within):
            # A limited token cannot mint a broader one.
            self.permission_denied(request, message=_g("A new token may not have scopes this token lacks."))
        user = request.user
        assert isinstance(user, User)  # IsAuthenticated
        token, key = services.token_create(
            actor=user,
            user=user,
            name=data.get("name", ""),
            read_only=data.get("read_only", False),
            expires_days=data.get("expires_days"),
            scopes=scopes,
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
