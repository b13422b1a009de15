"""Events for integrators (by cursor), webhook endpoints (managers) and their delivery log.

``GET /api/v1/events/?after=<cursor>&types=a,b&limit=n``: published events oldest first; any
other query parameter answers 400. Reading publishes what has committed first, so a reader never
waits for the worker.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory_app.api.idempotency import idempotent
from inventory_app.api.serializers.events import (
    EventPageOutputSerializer,
    EventQuerySerializer,
    WebhookDeliveryOutputSerializer,
    WebhookEndpointInputSerializer,
    WebhookEndpointOutputSerializer,
    WebhookEndpointSecretOutputSerializer,
)
from inventory_app.models import WebhookDelivery, WebhookEndpoint
from inventory_app.selectors.events import CursorInvalid, event_cursor_decode, events_after
from inventory_app.services.events.endpoints import (
    webhook_delivery_redeliver,
    webhook_endpoint_create,
    webhook_endpoint_disable,
    webhook_endpoint_enable,
    webhook_endpoint_secret_rotate,
    webhook_endpoint_update,
)
from inventory_app.services.events.publish import events_publish

EVENT_PARAMS = {"after", "types", "limit"}


def _refuse_unknown(request: Request, allowed: set[str]) -> None:
    if unknown := sorted(set(request.query_params) - allowed):
        raise exceptions.ValidationError({name: ["Unknown query parameter."] for name in unknown})


@extend_schema(tags=["events"])
class EventListView(APIView):
    """Events after a cursor, oldest first (a stable order: the publication sequence)."""

    @extend_schema(
        parameters=[EventQuerySerializer],
        responses={200: EventPageOutputSerializer},
        description="Events with a sequence after the cursor `after` (none: from the oldest kept), of the "
        "comma-separated `types` if given, at most `limit` (1-500, default 100). `next_cursor` is always "
        "set: ask again with it for what happened since. An unknown parameter, type or cursor answers 400.",
    )
    def get(self, request: Request) -> Response:
        _refuse_unknown(request, EVENT_PARAMS)
        query = EventQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after = 0
        if cursor := query.validated_data.get("after"):
            try:
                after = event_cursor_decode(cursor=cursor)
            except CursorInvalid as exc:
                raise exceptions.ValidationError({"after": [str(exc)]}) from exc
        types = [t for t in query.validated_data.get("types", "").split(",") if t]
        events_publish()
        try:
            page = events_after(after=after, types=types, limit=query.validated_data["limit"])
        except ValueError as exc:
            raise exceptions.ValidationError({"types": [str(exc)]}) from exc
        body = {"results": page.events, "next_cursor": page.next_cursor, "has_more": page.has_more}
        return Response(EventPageOutputSerializer(body).data)


def _service_call(function, **kwargs):
    try:
        return function(**kwargs)
    except ValidationError as exc:
        raise exceptions.ValidationError({"url": exc.messages}) from exc


@extend_schema(tags=["events"])
class WebhookEndpointViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Webhook endpoints: managers register them per event type; the secret is shown once."""

    write_role = "manager"
    serializer_class = WebhookEndpointOutputSerializer
    queryset = WebhookEndpoint.objects.order_by("pk")
    filterset_fields = ["is_active"]

    @idempotent(secret_fields=("secret",))
    @extend_schema(
        request=WebhookEndpointInputSerializer, responses={201: WebhookEndpointSecretOutputSerializer}
    )
    def create(self, request: Request) -> Response:
        """Register an endpoint; the answer holds its signing secret, shown this once."""
        data = WebhookEndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = _service_call(webhook_endpoint_create, user=request.user, **data.validated_data)
        endpoint.secret = secret
        return Response(WebhookEndpointSecretOutputSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WebhookEndpointInputSerializer, responses={200: WebhookEndpointOutputSerializer})
    def update(self, request: Request, pk: str) -> Response:
        """Change the URL, the event types or the description."""
        endpoint = self.get_object()
        data = WebhookEndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = _service_call(webhook_endpoint_update, endpoint=endpoint, **data.validated_data)
        return Response(WebhookEndpointOutputSerializer(endpoint).data)

    @extend_schema(request=None, responses={200: WebhookEndpointSecretOutputSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str) -> Response:
        """A new secret (shown this once); deliveries carry both signatures during the overlap."""
        endpoint, secret = webhook_endpoint_secret_rotate(endpoint=self.get_object())
        endpoint.secret = secret
        return Response(WebhookEndpointSecretOutputSerializer(endpoint).data)

    @extend_schema(request=None, responses={200: WebhookEndpointOutputSerializer})
    @action(detail=True, methods=["post"])
    def enable(self, request: Request, pk: str) -> Response:
        """Enable it again: what it missed, and what was given up, is delivered in order."""
        endpoint = self.get_object()
        webhook_endpoint_enable(endpoint=endpoint)
        endpoint.refresh_from_db()
        return Response(WebhookEndpointOutputSerializer(endpoint).data)

    @extend_schema(request=None, responses={200: WebhookEndpointOutputSerializer})
    @action(detail=True, methods=["post"])
    def disable(self, request: Request, pk: str) -> Response:
        """Stop deliveries (events keep being queued for it, within the retention window)."""
        endpoint = self.get_object()
        webhook_endpoint_disable(endpoint=endpoint, reason=f"Disabled by {request.user}")
        endpoint.refresh_from_db()
        return Response(WebhookEndpointOutputSerializer(endpoint).data)


@extend_schema(tags=["events"])
class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log: every event sent to every endpoint, with each try."""

    write_role = "manager"
    serializer_class = WebhookDeliveryOutputSerializer
    queryset = WebhookDelivery.objects.select_related("event").prefetch_related("log").order_by("-seq", "-pk")
    filterset_fields = ["endpoint", "status"]

    @extend_schema(request=None, responses={200: WebhookDeliveryOutputSerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, pk: str) -> Response:
        """Send this delivery again now (it holds later events of its key until it is through)."""
        delivery = webhook_delivery_redeliver(delivery=self.get_object())
        return Response(WebhookDeliveryOutputSerializer(delivery).data)
