"""The Shippo provider: rates, label purchase (with lookup by rate), label download, tracking."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from shipping_app.providers.base import LabelBuyer, ProviderError, ShippingProvider, WebhookReceiver
from shipping_app.providers.dto import (
    AddressDTO,
    LabelDTO,
    OrderExportDTO,
    ParcelDTO,
    RatedShipmentDTO,
    WebhookDelivery,
)
from shipping_app.providers.registry import provider_register
from shipping_app.providers.shippo.client import DEFAULT_BASE_URL, ShippoClient
from shipping_app.providers.shippo.mapping import (
    address_json,
    label_from_json,
    parcel_json,
    rated_shipment_from_json,
)
from shipping_app.providers.shippo.webhooks import webhook_delivery_parse, webhook_signature_check


@provider_register
class ShippoProvider(ShippingProvider, LabelBuyer, WebhookReceiver):
    """Shippo. Credentials: ``api_token``; optional ``webhook_secret``. Options: ``address_from``
    (name, street1, city, state, postal_code, country, phone, email), ``parcel`` (length, width,
    height, distance_unit), ``label_file_type`` (default PDF).
    """

    kind = "shippo"
    label = "Shippo"
    credential_fields = ("api_token",)
    secret_fields = ("api_token", "webhook_secret")
    webhook_secret_in_url = False  # it signs deliveries with it: the secret never travels

    @cached_property
    def client(self) -> ShippoClient:
        return ShippoClient(
            base_url=self.config.base_url or DEFAULT_BASE_URL,
            token=self.config.credentials.get("api_token", ""),
        )

    def _address_from(self) -> AddressDTO:
        raw = dict(self.config.options.get("address_from") or {})
        if not raw.get("street1"):
            raise ProviderError("Set the ship-from address (options.address_from) of the Shippo account")
        return AddressDTO(**{k: str(v) for k, v in raw.items() if k in AddressDTO.__dataclass_fields__})

    def shipment_rate(self, *, order: OrderExportDTO, parcel: ParcelDTO) -> RatedShipmentDTO:
        """POST /shipments with async false; the answer carries the rates."""
        data = self.client.shipment_create(
            payload={
                "address_from": address_json(self._address_from()),
                "address_to": address_json(order.ship_to),
                "parcels": [parcel_json(parcel)],
                "async": False,
                "metadata": f"Order {order.order_number}"[:100],
            }
        )
        return rated_shipment_from_json(data)

    def label_buy(self, *, rate_id: str, reference: str) -> LabelDTO:
        """POST /transactions with async false."""
        data = self.client.transaction_create(
            payload={
                "rate": rate_id,
                "label_file_type": str(self.config.options.get("label_file_type") or "PDF"),
                "async": False,
                "metadata": reference[:100],
            }
        )
        return label_from_json(data)

    def label_find(self, *, rate_id: str) -> LabelDTO | None:
        """GET /transactions?rate=...: a successful (or still queued) transaction for the rate."""
        for item in self.client.transactions_for_rate(rate_id=rate_id):
            label = label_from_json(item)
            if label.status in {"SUCCESS", "QUEUED", "WAITING"}:
                return label
        return None

    def label_download(self, *, url: str) -> bytes:
        """The label file."""
        return self.client.document_get(url=url)

    def webhook_verify(
        self, *, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
    ) -> None:
        """Shippo-Auth-Signature (HMAC of timestamp and body) when the account has a webhook secret."""
        webhook_signature_check(
            secret=self.config.credentials.get("webhook_secret", ""), headers=headers, body=body
        )

    def webhook_subscribe(self, *, url: str) -> str:
        """POST /webhooks for track_updated, unless one to ``url`` already exists."""
        for hook in self.client.webhooks_list().get("results") or []:
            if hook.get("url") == url and hook.get("event") == "track_updated":
                return str(hook.get("object_id"))
        is_test = self.config.credentials.get("api_token", "").startswith("shippo_test_")
        data = self.client.webhook_create(
            payload={"url": url, "event": "track_updated", "active": True, "is_test": is_test}
        )
        return str(data.get("object_id") or "")

    def webhook_parse(self, *, headers: Mapping[str, str], body: bytes) -> WebhookDelivery:
        """track_updated deliveries."""
        return webhook_delivery_parse(body=body)
