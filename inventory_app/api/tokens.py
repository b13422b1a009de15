"""API token endpoints: create your own (the key is shown once), list, revoke.

Any staff role may manage its own tokens; managers see and revoke everyone's. Tokens are created
from a logged-in session; a token may create one only when its user is a manager, and only with an
expiry no later than its own (revoking it revokes what it created).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from inventory_app.api.idempotency import idempotent
from inventory_app.api.permissions import ROLE_RANK, user_role_rank
from inventory_app.api.serializers.tokens import (
    ApiTokenCreatedOutputSerializer,
    ApiTokenCreateInputSerializer,
    ApiTokenOutputSerializer,
)
from inventory_app.models import ApiToken
from inventory_app.services.tokens import api_token_issue, api_token_revoke


@extend_schema(tags=["tokens"])
@extend_schema_view(
    create=extend_schema(
        request=ApiTokenCreateInputSerializer,
        responses={201: ApiTokenCreatedOutputSerializer},
        description="Creates a token for yourself. The answer holds the plain key: it is shown this once. "
        "From a logged-in session any role may; with a token only a manager's, and then the new token "
        "must expire no later than the calling token (revoking the caller revokes it).",
    )
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your API tokens (every token, for managers). Keys are never shown again after creation."""

    write_role = "viewer"
    serializer_class = ApiTokenOutputSerializer
    filterset_fields = ["user"]
    ordering_fields = ["id", "created_at", "last_used_at"]

    def get_queryset(self):
        tokens = ApiToken.objects.select_related("user")
        if getattr(self, "swagger_fake_view", False):
            return tokens.none()
        if user_role_rank(self.request.user) >= ROLE_RANK["manager"]:
            return tokens
        return tokens.filter(user=self.request.user)

    @idempotent(secret_fields=("key",))
    def create(self, request: Request) -> Response:
        data = ApiTokenCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        caller = request.auth if isinstance(request.auth, ApiToken) else None
        if caller is not None and user_role_rank(request.user) < ROLE_RANK["manager"]:
            raise exceptions.PermissionDenied(
                "Only a manager's token may create tokens; log in to create one."
            )
        try:
            token, key = api_token_issue(user=request.user, created_by_token=caller, **data.validated_data)
        except ValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from exc
        token.key = key
        return Response(ApiTokenCreatedOutputSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ApiTokenOutputSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        """Revoke the token: it stops working at once (revoking twice changes nothing)."""
        token = api_token_revoke(token=self.get_object())
        return Response(ApiTokenOutputSerializer(token).data)
