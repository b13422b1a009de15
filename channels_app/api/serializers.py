"""Serializers of the channel API. Credentials are write-only: never in any response."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from channels_app.connectors.registry import connector_kinds
from channels_app.models import ChannelAccount, ChannelOrderPush, InboundEvent, Listing
from channels_app.selectors.connection import account_connection
from inventory_app.api.permissions import ROLE_RANK, user_role_rank


class AccountConnectionOutputSerializer(serializers.Serializer):
    """How the account authenticates: ``state`` static / connected / not_connected / reconnect
    (``message`` says what to do, e.g. "Reconnect Shopify: ..."); no secrets."""

    state = serializers.CharField()
    message = serializers.CharField()
    expires_at = serializers.FloatField(allow_null=True)
    connect_flow = serializers.BooleanField()
    refresh_expires_at = serializers.FloatField(allow_null=True)


class AccountOutputSerializer(serializers.ModelSerializer):
    """An account without its credentials; ``webhook_url`` is where the channel must deliver;
    ``connection`` how it authenticates now (a channel that refused the grant: "reconnect").

    The webhook URLs carry the account's secret webhook token: managers only (null for others).
    """

    locations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    webhook_url = serializers.SerializerMethodField()
    webhooks_url = serializers.SerializerMethodField()
    connection = serializers.SerializerMethodField()

    class Meta:
        model = ChannelAccount
        fields = [
            "id", "name", "kind", "base_url", "options", "enabled", "dry_run", "locations", "buffer",
            "percentage", "max_published", "min_published", "adaptive_buffer", "oversell_risk_percent",
            "confirm_lag_seconds", "poll_interval_seconds", "sales_channel",
            "webhook_url", "orders_synced_at", "last_order_intake_at", "last_push_at", "last_reconcile_at",
            "last_error", "webhooks_url", "webhooks_registered_at", "webhooks_error", "created_at",
            "connection",
        ]  # fmt: skip

    @extend_schema_field(AccountConnectionOutputSerializer)
    def get_connection(self, obj: ChannelAccount) -> dict:
        return AccountConnectionOutputSerializer(account_connection(account=obj)).data

    def _manager(self) -> bool:
        request = self.context.get("request")
        return request is not None and user_role_rank(request.user) >= ROLE_RANK["manager"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_webhook_url(self, obj: ChannelAccount) -> str | None:
        if not self._manager():
            return None
        path = reverse("channels_webhooks:receive", args=[obj.webhook_token])
        return self.context["request"].build_absolute_uri(path)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_webhooks_url(self, obj: ChannelAccount) -> str | None:
        """The URL the webhooks were registered to (it holds the token too)."""
        return obj.webhooks_url if self._manager() else None


class AccountCreateInputSerializer(serializers.Serializer):
    """A new account; ``credentials`` are encrypted at rest and never returned."""

    kind = serializers.CharField()
    name = serializers.CharField(max_length=255)
    code = serializers.SlugField(required=False, default="")
    base_url = serializers.URLField()
    credentials = serializers.DictField(child=serializers.CharField(), write_only=True)
    options = serializers.DictField(required=False, default=dict)
    location_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, default=list
    )
    dry_run = serializers.BooleanField(default=True)
    buffer = serializers.IntegerField(max_value=1_000_000_000, min_value=0, default=0)
    percentage = serializers.IntegerField(min_value=0, max_value=100, default=100)
    max_published = serializers.IntegerField(
        max_value=1_000_000_000, min_value=0, required=False, allow_null=True, default=None
    )
    min_published = serializers.IntegerField(max_value=1_000_000_000, min_value=0, default=0)
    poll_interval_seconds = serializers.IntegerField(max_value=604_800, min_value=10, default=120)
    adaptive_buffer = serializers.BooleanField(default=True)
    oversell_risk_percent = serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("50"),
        default=Decimal("1.00"),
    )

    def validate_kind(self, value: str) -> str:
        if value not in connector_kinds():
            raise serializers.ValidationError(f"Unknown kind; known: {', '.join(connector_kinds())}")
        return value


class AccountUpdateInputSerializer(serializers.Serializer):
    """Fields staff may change; all optional."""

    name = serializers.CharField(max_length=255, required=False)
    base_url = serializers.URLField(required=False)
    enabled = serializers.BooleanField(required=False)
    dry_run = serializers.BooleanField(required=False)
    options = serializers.DictField(required=False)
    buffer = serializers.IntegerField(max_value=1_000_000_000, min_value=0, required=False)
    percentage = serializers.IntegerField(min_value=0, max_value=100, required=False)
    max_published = serializers.IntegerField(
        max_value=1_000_000_000, min_value=0, required=False, allow_null=True
    )
    min_published = serializers.IntegerField(max_value=1_000_000_000, min_value=0, required=False)
    poll_interval_seconds = serializers.IntegerField(max_value=604_800, min_value=10, required=False)
    adaptive_buffer = serializers.BooleanField(required=False)
    oversell_risk_percent = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("50"), required=False
    )
    location_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False
    )
    credentials = serializers.DictField(child=serializers.CharField(), write_only=True, required=False)


class SyncStateOutputSerializer(serializers.Serializer):
    """Sync health of an account."""

    account_id = serializers.IntegerField()
    last_order_intake_at = serializers.DateTimeField(allow_null=True)
    last_push_at = serializers.DateTimeField(allow_null=True)
    last_reconcile_at = serializers.DateTimeField(allow_null=True)
    orders_synced_at = serializers.DateTimeField(allow_null=True)
    push_lag_seconds = serializers.FloatField(allow_null=True)
    dirty = serializers.IntegerField()
    failing = serializers.IntegerField()
    unlinked = serializers.IntegerField()
    failed_events = serializers.IntegerField()
    drift_last_24h = serializers.IntegerField()
    last_error = serializers.CharField()


class SyncNowInputSerializer(serializers.Serializer):
    """Which jobs to start now."""

    orders = serializers.BooleanField(default=True)
    push = serializers.BooleanField(default=True)
    reconcile = serializers.BooleanField(default=False)
    listings = serializers.BooleanField(
        default=False, help_text="Import the channel's listings in the background (large catalogs)"
    )


class PreviewOutputSerializer(serializers.Serializer):
    """One row of the first-push preview."""

    listing_id = serializers.IntegerField()
    external_id = serializers.CharField()
    sku_code = serializers.CharField()
    channel_quantity = serializers.IntegerField(allow_null=True)
    would_push = serializers.IntegerField()


class ListingOutputSerializer(serializers.ModelSerializer):
    """A listing with its link and push state."""

    sku_code = serializers.CharField(source="sku.code", default=None, read_only=True, allow_null=True)

    class Meta:
        model = Listing
        fields = [
            "id", "account", "external_id", "external_product_id", "external_variant_id",
            "external_inventory_item_id", "external_offer_id", "external_sku", "title", "sku", "sku_code",
            "push_enabled", "buffer", "percentage", "max_published", "min_published", "adaptive_buffer",
            "last_pushed_qty",
            "last_pushed_at", "last_seen_qty", "last_seen_at", "last_error", "push_failures", "needs_push",
            "dirty_since", "next_attempt_at",
        ]  # fmt: skip


class ListingLinkInputSerializer(serializers.Serializer):
    """Link to a SKU by id or code."""

    sku = serializers.CharField()


class ListingRulesInputSerializer(serializers.Serializer):
    """Per-listing rule overrides (null: inherit the account's)."""

    buffer = serializers.IntegerField(max_value=1_000_000_000, min_value=0, required=False, allow_null=True)
    percentage = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True)
    max_published = serializers.IntegerField(
        max_value=1_000_000_000, min_value=0, required=False, allow_null=True
    )
    min_published = serializers.IntegerField(
        max_value=1_000_000_000, min_value=0, required=False, allow_null=True
    )
    adaptive_buffer = serializers.BooleanField(
        required=False, allow_null=True, help_text="null: the account's setting"
    )


class ExplanationOutputSerializer(serializers.Serializer):
    """Why a listing publishes what it does."""

    listing_id = serializers.IntegerField()
    explanation = serializers.CharField()


class InboundEventOutputSerializer(serializers.ModelSerializer):
    """A stored webhook delivery or polled record."""

    status = serializers.CharField(read_only=True)
    source = serializers.CharField(read_only=True)

    class Meta:
        model = InboundEvent
        fields = [
            "id", "account", "event_id", "source", "topic", "payload", "order", "received_at", "processed_at",
            "status", "attempts", "error",
        ]  # fmt: skip


class OrderPushOutputSerializer(serializers.ModelSerializer):
    """A shipment (fulfilment) or cancellation made here, waiting for or delivered to the channel."""

    kind = serializers.CharField(read_only=True, help_text="fulfilment or cancel")
    status = serializers.CharField(read_only=True, help_text="queued, delivered or failed")
    carrier = serializers.CharField(source="shipment.carrier", read_only=True, default="")
    tracking_number = serializers.CharField(source="shipment.tracking_number", read_only=True, default="")
    quantities = serializers.JSONField(source="shipment.quantities", read_only=True, default=dict)

    class Meta:
        model = ChannelOrderPush
        fields = [
            "id", "order", "kind", "shipment", "quantities", "carrier", "tracking_number", "status",
            "attempts", "last_error", "next_attempt_at", "created_at", "delivered_at",
        ]  # fmt: skip


class WebhooksRegisteredOutputSerializer(serializers.Serializer):
    """The URL the channel's webhooks were registered to."""

    webhooks_url = serializers.CharField()


class ListingsImportOutputSerializer(serializers.Serializer):
    """How many listings the channel gave and how many were linked to our SKUs by code."""

    imported = serializers.IntegerField()
    linked = serializers.IntegerField()
