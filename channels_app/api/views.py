"""Channel API views: thin; each action calls one service or selector.

Reads need the viewer role. Listing link/unlink/retry/rules, event retry, "sync now" and listing
import need operator; creating or changing an account, going live and registering webhooks need
manager.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from channels_app.api.serializers import (
    AccountCreateInputSerializer,
    AccountOutputSerializer,
    AccountUpdateInputSerializer,
    ExplanationOutputSerializer,
    InboundEventOutputSerializer,
    ListingLinkInputSerializer,
    ListingOutputSerializer,
    ListingRulesInputSerializer,
    ListingsImportOutputSerializer,
    OrderPushOutputSerializer,
    PreviewOutputSerializer,
    SyncNowInputSerializer,
    SyncStateOutputSerializer,
    WebhooksRegisteredOutputSerializer,
)
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.http import HostRefused
from channels_app.models import ChannelAccount, ChannelOrderPush, InboundEvent, Listing
from channels_app.notifications.webhook_subscriptions import account_webhooks_register
from channels_app.selectors.quantities import listing_quantity_explain
from channels_app.selectors.state import account_sync_state
from channels_app.services.accounts import AccountError, account_create
from channels_app.services.actions import (
    account_sync_now,
    account_update,
    inbound_event_retry,
    listing_push_retry,
    listing_rules_set,
)
from channels_app.services.onboarding import (
    account_go_live,
    account_listings_import,
    account_push_preview,
    listing_link,
    listing_unlink,
)
from inventory_app.api.filters import updated_range_filterset
from inventory_app.api.idempotency import idempotent
from inventory_app.models import SKU

MANAGER_ACTIONS = {"create", "partial_update", "update", "go_live", "register_webhooks"}


def _bad(exc: Exception | str) -> exceptions.ValidationError:
    return exceptions.ValidationError({"detail": str(exc)})


class _ChannelUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "channel_unavailable"


@extend_schema(tags=["channel accounts"])
class ChannelAccountViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Channel accounts. Credentials can be set, never read."""

    queryset = ChannelAccount.objects.prefetch_related("locations").order_by("pk")
    serializer_class = AccountOutputSerializer
    filterset_fields = ["kind", "enabled", "dry_run"]
    search_fields = ["name"]

    @property
    def write_role(self) -> str:
        return "manager" if self.action in MANAGER_ACTIONS else "operator"

    @idempotent
    @extend_schema(request=AccountCreateInputSerializer, responses={201: AccountOutputSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        data = AccountCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            account = account_create(**values)
        except (AccountError, LookupError) as exc:
            raise _bad(exc) from None
        return Response(self.get_serializer(account).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AccountUpdateInputSerializer, responses={200: AccountOutputSerializer})
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        data = AccountUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        location_ids = values.pop("location_ids", None)
        credentials = values.pop("credentials", None)
        try:
            account = account_update(
                account=self.get_object(), data=values, location_ids=location_ids, credentials=credentials
            )
        except AccountError as exc:
            raise _bad(exc) from None
        return Response(self.get_serializer(account).data)

    @extend_schema(responses={200: SyncStateOutputSerializer})
    @action(detail=True, methods=["get"], url_path="sync-state")
    def sync_state(self, request: Request, pk=None) -> Response:
        """Last intake and push, lag, dirty-queue depth, failures, unlinked listings, drift."""
        return Response(SyncStateOutputSerializer(account_sync_state(account=self.get_object())).data)

    @extend_schema(request=SyncNowInputSerializer, responses={202: SyncNowInputSerializer})
    @action(detail=True, methods=["post"], url_path="sync-now")
    def sync_now(self, request: Request, pk=None) -> Response:
        """Start an order poll and/or a push (and optionally a reconciliation) now."""
        data = SyncNowInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        started = account_sync_now(account=self.get_object(), **data.validated_data)
        names = ("orders", "push", "reconcile", "listings")
        return Response({name: name in started for name in names}, status=202)

    @extend_schema(responses={200: PreviewOutputSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)  # one list, not pages
    def preview(self, request: Request, pk=None) -> Response:
        """What the first push would set on each linked listing."""
        rows = account_push_preview(account=self.get_object())
        return Response(PreviewOutputSerializer(rows, many=True).data)

    @extend_schema(request=None, responses={200: AccountOutputSerializer})
    @action(detail=True, methods=["post"], url_path="go-live")
    def go_live(self, request: Request, pk=None) -> Response:
        """Leave dry run: every linked listing is pushed for real; the channel's webhooks are
        registered to this site when its connector supports it."""
        account = account_go_live(account=self.get_object(), base_url=request.build_absolute_uri("/"))
        return Response(self.get_serializer(account).data)

    @extend_schema(request=None, responses={200: WebhooksRegisteredOutputSerializer})
    @action(detail=True, methods=["post"], url_path="register-webhooks")
    def register_webhooks(self, request: Request, pk=None) -> Response:
        """Subscribe the channel's webhooks to this account's URL on this site (safe to repeat)."""
        try:
            url = account_webhooks_register(
                account_id=self.get_object().pk, base_url=request.build_absolute_uri("/")
            )
        except AccountError as exc:
            raise _bad(exc) from None
        return Response({"webhooks_url": url})

    @extend_schema(request=None, responses={200: ListingsImportOutputSerializer, 503: None})
    @action(detail=True, methods=["post"], url_path="import-listings")
    def import_listings(self, request: Request, pk=None) -> Response:
        """Read the channel's listings now and auto-link them by SKU (in this request; for a large
        catalog - Amazon's listings report takes minutes - use sync-now with ``listings``).
        400: the channel refused or its URL is refused; 503: the channel is unavailable now."""
        try:
            counts = account_listings_import(account=self.get_object())
            return Response(ListingsImportOutputSerializer(counts).data)
        except RetryableError as exc:
            raise _ChannelUnavailable(f"The channel is unavailable: {exc}") from None
        except (ConnectorError, HostRefused) as exc:
            raise _bad(f"The channel failed: {exc}") from None


@extend_schema(tags=["channel listings"])
class ListingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Channel listings with their SKU link and push state, oldest change first; filter by account,
    needs_push, sku, updated range."""

    queryset = Listing.objects.select_related("sku")
    serializer_class = ListingOutputSerializer
    filterset_class = updated_range_filterset(
        Listing, fields={"account": ["exact"], "needs_push": ["exact"], "sku": ["exact", "isnull"]}
    )
    search_fields = ["external_id", "external_sku", "title"]
    ordering = ["updated_at", "id"]
    ordering_fields = ["id", "updated_at"]
    write_role = "operator"

    @extend_schema(responses={200: ExplanationOutputSerializer})
    @action(detail=True, methods=["get"])
    def explanation(self, request: Request, pk=None) -> Response:
        """Why this listing publishes what it does."""
        listing = self.get_object()
        text = listing_quantity_explain(listing=listing)
        return Response(ExplanationOutputSerializer({"listing_id": listing.pk, "explanation": text}).data)

    @extend_schema(request=ListingLinkInputSerializer, responses={200: ListingOutputSerializer})
    @action(detail=True, methods=["post"])
    def link(self, request: Request, pk=None) -> Response:
        """Link to a SKU (by id or code); the listing is pushed next."""
        data = ListingLinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        value = data.validated_data["sku"]
        by_id = value.isascii() and value.isdigit() and len(value) <= 18  # other scripts' digits are no ids
        sku = SKU.objects.filter(code=value).first() or (
            SKU.objects.filter(pk=int(value)).first() if by_id else None
        )
        if sku is None:
            raise exceptions.ValidationError({"sku": "No such SKU"})
        return Response(self.get_serializer(listing_link(listing=self.get_object(), sku_id=sku.pk)).data)

    @extend_schema(request=None, responses={200: ListingOutputSerializer})
    @action(detail=True, methods=["post"])
    def unlink(self, request: Request, pk=None) -> Response:
        """Remove the SKU link; the listing is no longer pushed."""
        return Response(self.get_serializer(listing_unlink(listing=self.get_object())).data)

    @extend_schema(request=None, responses={200: ListingOutputSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk=None) -> Response:
        """Retry the push now (clears the backoff)."""
        return Response(self.get_serializer(listing_push_retry(listing=self.get_object())).data)

    @extend_schema(request=ListingRulesInputSerializer, responses={200: ListingOutputSerializer})
    @action(detail=True, methods=["post"])
    def rules(self, request: Request, pk=None) -> Response:
        """Override the account's rules for this listing (null: inherit)."""
        data = ListingRulesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listing = listing_rules_set(listing=self.get_object(), rules=data.validated_data)
        return Response(self.get_serializer(listing).data)


@extend_schema(tags=["channel events"])
class InboundEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Stored webhook deliveries and polled records."""

    queryset = InboundEvent.objects.order_by("-pk")
    serializer_class = InboundEventOutputSerializer
    filterset_fields = ["account", "status", "source", "topic"]
    search_fields = ["event_id"]
    write_role = "operator"

    @extend_schema(request=None, responses={202: InboundEventOutputSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk=None) -> Response:
        """Process a failed event again."""
        try:
            event = inbound_event_retry(event=self.get_object())
        except AccountError as exc:
            raise _bad(exc) from None
        return Response(self.get_serializer(event).data, status=202)


@extend_schema(tags=["channel events"])
class OrderPushViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Shipments (fulfilments with tracking) and cancellations made here, told to the order's
    channel once; filter by order, kind, status."""

    queryset = ChannelOrderPush.objects.select_related("shipment").order_by("-pk")
    serializer_class = OrderPushOutputSerializer
    filterset_fields = ["order", "kind", "status"]
