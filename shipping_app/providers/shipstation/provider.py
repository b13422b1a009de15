"""The ShipStation V1 provider: order export by orderKey, SHIP_NOTIFY webhooks, shipment poll."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cached_property

from shipping_app.providers.base import (
    OrderExporter,
    ProviderError,
    ShipmentSource,
    ShippingProvider,
    WebhookReceiver,
)
from shipping_app.providers.dto import (
    ExportResult,
    OrderExportDTO,
    ShipmentDTO,
    ShipmentPage,
    WebhookDelivery,
)
from shipping_app.providers.registry import provider_register
from shipping_app.providers.shipstation.client import DEFAULT_BASE_URL, ShipStationClient
from shipping_app.providers.shipstation.mapping import order_payload, shipment_from_json, ss_datetime_format
from shipping_app.providers.shipstation.webhooks import webhook_delivery_parse
from shipping_app.providers.webhook_secret import webhook_secret_check

PAGE_SIZE = 100


@provider_register
class ShipStationProvider(ShippingProvider, OrderExporter, ShipmentSource, WebhookReceiver):
    """ShipStation (classic V1 API). Credentials: ``api_key``, ``api_secret``; optional
    ``webhook_secret`` (then the target URL must carry ``?secret=``). Options: ``store_id``.
    """

    kind = "shipstation"
    label = "ShipStation"
    credential_fields = ("api_key", "api_secret")
    secret_fields = ("api_secret", "webhook_secret")

    @cached_property
    def client(self) -> ShipStationClient:
        creds = self.config.credentials
        return ShipStationClient(
            base_url=self.config.base_url or DEFAULT_BASE_URL,
            api_key=creds.get("api_key", ""),
            api_secret=creds.get("api_secret", ""),
        )

    def _store_id(self) -> int | None:
        value = self.config.options.get("store_id")
        return int(value) if value not in (None, "") else None

    def order_export(self, *, order: OrderExportDTO) -> ExportResult:
        """POST /orders/createorder (an upsert by ``orderKey``: never a duplicate on retry)."""
        data = self.client.order_create_or_update(
            payload=order_payload(order=order, store_id=self._store_id())
        )
        if not isinstance(data, dict) or "orderId" not in data:
            raise ProviderError("ShipStation answered createorder without an orderId")
        return ExportResult(external_id=str(data["orderId"]))

    def order_cancel(self, *, order: OrderExportDTO) -> None:
        """The same upsert with ``orderStatus: cancelled``."""
        self.client.order_create_or_update(payload=order_payload(order=order, store_id=self._store_id()))

    def shipments_fetch(self, *, since: datetime | None, cursor: str | None) -> ShipmentPage:
        """GET /shipments by createDateStart, oldest first, with items; cursor = next page number."""
        page = int(cursor or 1)
        params: dict[str, object] = {
            "includeShipmentItems": "true",
            "sortBy": "CreateDate",
            "sortDir": "ASC",
            "page": page,
            "pageSize": PAGE_SIZE,
        }
        if since is not None:
            params["createDateStart"] = ss_datetime_format(since)
        if self._store_id():
            params["storeId"] = self._store_id()
        data = self.client.shipments_list(params=params)
        shipments = [shipment_from_json(item) for item in data.get("shipments") or []]
        pages = int(data.get("pages") or 0)
        return ShipmentPage(shipments=shipments, next_cursor=str(page + 1) if page < pages else None)

    def webhook_verify(
        self, *, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
    ) -> None:
        """No signature in V1: the optional shared secret in the target URL is checked."""
        webhook_secret_check(expected=self.config.credentials.get("webhook_secret", ""), query=query)

    def webhook_parse(self, *, headers: Mapping[str, str], body: bytes) -> WebhookDelivery:
        """``{"resource_url", "resource_type"}``, the URL on the account's host."""
        return webhook_delivery_parse(body=body, base_url=self.config.base_url or DEFAULT_BASE_URL)

    def webhook_subscribe(self, *, url: str) -> str:
        """POST /webhooks/subscribe for SHIP_NOTIFY, unless a hook to ``url`` already exists."""
        for hook in self.client.webhooks_list().get("webhooks") or []:
            if hook.get("Url") == url and hook.get("HookType") == "SHIP_NOTIFY":
                return str(hook.get("WebHookID"))
        data = self.client.webhook_subscribe(
            payload={
                "target_url": url,
                "event": "SHIP_NOTIFY",
                "store_id": self._store_id(),
                "friendly_name": "Stock master shipments",
            }
        )
        return str(data.get("id") or data.get("WebHookID") or "")

    def webhook_resolve(self, *, delivery: WebhookDelivery) -> Sequence[ShipmentDTO]:
        """Fetch the resource URL with our credentials (every page of it) and map its shipments."""
        data = self.client.resource_get(url=delivery.resource_url)
        items = list(data.get("shipments") or [])
        pages, page = int(data.get("pages") or 1), int(data.get("page") or 1)
        while page < pages:
            page += 1
            more = self.client.resource_get(url=f"{delivery.resource_url}&page={page}")
            items += list(more.get("shipments") or [])
        return [shipment_from_json(item) for item in items]
