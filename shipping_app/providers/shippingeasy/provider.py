"""The ShippingEasy provider: order intake and cancellation, signed shipment callback, poll."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cached_property

from shipping_app.providers.base import (
    OrderExporter,
    ProviderError,
    ShipmentSource,
    ShippingProvider,
    WebhookReceiver,
)
from shipping_app.providers.dto import ExportResult, OrderExportDTO, ShipmentPage, WebhookDelivery
from shipping_app.providers.registry import provider_register
from shipping_app.providers.shippingeasy.client import DEFAULT_BASE_URL, ShippingEasyClient
from shipping_app.providers.shippingeasy.mapping import order_payload, shipments_from_order
from shipping_app.providers.shippingeasy.webhooks import callback_parse, callback_verify

PER_PAGE = 200
MAX_LOOKBACK = timedelta(days=89)
# Every documented order status: an order we created earlier may have moved to any of them, and the
# search defaults to "shipped" only, so the duplicate check asks for each.
ORDER_STATUSES = ("ready_for_shipment", "pending_shipment", "shipped", "cleared")


@provider_register
class ShippingEasyProvider(ShippingProvider, OrderExporter, ShipmentSource, WebhookReceiver):
    """ShippingEasy. Credentials: ``api_key``, ``api_secret``, ``store_api_key``."""

    kind = "shippingeasy"
    label = "ShippingEasy"
    credential_fields = ("api_key", "api_secret", "store_api_key")
    secret_fields = ("api_secret",)

    @cached_property
    def client(self) -> ShippingEasyClient:
        creds = self.config.credentials
        return ShippingEasyClient(
            base_url=self.config.base_url or DEFAULT_BASE_URL,
            api_key=creds.get("api_key", ""),
            api_secret=creds.get("api_secret", ""),
        )

    @property
    def store(self) -> str:
        return self.config.credentials.get("store_api_key", "")

    def _find(self, order_key: str) -> dict | None:
        for status in ORDER_STATUSES:
            found = self.client.orders_find(params={"order_number": order_key, "status": status})
            for order in found.get("orders") or []:
                if str(order.get("external_order_identifier")) == order_key:
                    return order
        return None

    def order_export(self, *, order: OrderExportDTO) -> ExportResult:
        """Create the order once. ShippingEasy has no update: an order it already has is left as is.

        An order we have no id for (first attempt, or an attempt whose answer was lost) is first
        searched for by ``order_number`` so a retry never creates a second one.
        """
        if order.external_id:
            return ExportResult(external_id=order.external_id)
        existing = self._find(order.order_key)
        if existing is not None:
            return ExportResult(external_id=str(existing["id"]))
        data = self.client.order_create(store_api_key=self.store, payload=order_payload(order=order))
        created = data.get("order") if isinstance(data, dict) else None
        if not isinstance(created, dict) or "id" not in created:
            raise ProviderError("ShippingEasy answered the order create without an order id")
        return ExportResult(external_id=str(created["id"]))

    def order_cancel(self, *, order: OrderExportDTO) -> None:
        """POST .../orders/<external_order_identifier>/cancellations."""
        self.client.order_cancel(store_api_key=self.store, external_order_identifier=order.order_key)

    def shipments_fetch(self, *, since: datetime | None, cursor: str | None) -> ShipmentPage:
        """Shipped orders updated since ``since`` (ShippingEasy keeps at most 3 months), by page."""
        page = int(cursor or 1)
        params: dict[str, object] = {"status": "shipped", "page": page, "per_page": PER_PAGE}
        if since is not None:
            since = max(since, datetime.now(UTC) - MAX_LOOKBACK)  # the API refuses older than 3 months
            params["last_updated_at"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # ISO 8601
        data = self.client.orders_find(params=params)
        orders = list(data.get("orders") or [])
        meta = data.get("meta") or {}
        total_pages = int(meta.get("total_pages") or 0)
        more = page < total_pages if total_pages else len(orders) >= PER_PAGE
        shipments = [s for order in orders for s in shipments_from_order(order)]
        return ShipmentPage(shipments=shipments, next_cursor=str(page + 1) if more else None)

    def webhook_verify(
        self, *, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
    ) -> None:
        """The callback's api_signature over METHOD&path&params&body, with the API secret."""
        callback_verify(
            secret=self.config.credentials.get("api_secret", ""),
            method=method,
            path=path,
            query=query,
            body=body,
        )

    def webhook_parse(self, *, headers: Mapping[str, str], body: bytes) -> WebhookDelivery:
        """``{"shipment": {...}}``."""
        return callback_parse(body=body)
