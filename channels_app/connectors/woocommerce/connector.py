"""The WooCommerce connector (protocol in this package's docstring)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from channels_app.connectors.base import ConfirmsFulfilment, Connector, RegistersWebhooks, Throttle
from channels_app.connectors.dto import (
    AccountConfig,
    FulfilmentDTO,
    ListingPage,
    ListingRef,
    OrderPage,
    PushResult,
    QuantityUpdate,
    RateLimit,
    WebhookEvent,
)
from channels_app.connectors.errors import ConnectorError, WebhookPayloadError
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.options import Credential, Option
from channels_app.connectors.registry import connector_register
from channels_app.connectors.woocommerce.client import WooClient, transport_problem
from channels_app.connectors.woocommerce.fulfilment import fulfilment_send
from channels_app.connectors.woocommerce.inventory import (
    BATCH_LIMIT,
    listings_page,
    quantities_read,
    quantities_send,
)
from channels_app.connectors.woocommerce.mapping import order_from_json, wc_gmt
from channels_app.connectors.woocommerce.webhooks import (
    HOOK_NAME,
    TOPICS,
    header,
    hook_secret,
    webhook_signature_check,
)
from config.safejson import json_loads_bounded


@connector_register
class WooCommerceConnector(Connector, RegistersWebhooks, ConfirmsFulfilment):
    """WooCommerce REST API v3: absolute stock pushes, signed order webhooks, order polls."""

    kind = "woocommerce"
    label = "WooCommerce"
    batch_max = BATCH_LIMIT
    quantity_mode = "set"
    restocks_on_cancel = True
    order_overlap_seconds = 600
    credentials = (
        Credential("consumer_key", "The REST API key's consumer key (`ck_...`).", secret=False),
        Credential(
            "consumer_secret",
            "The REST API key's consumer secret (`cs_...`); also keys our webhooks' secret.",
        ),
    )
    options = (
        Option(
            "auth_mode",
            "str",
            "`header`: HTTP Basic (documented default); `query`: keys as query parameters, for hosts"
            " that drop the Authorization header.",
            default="header",
            choices=("header", "query"),
        ),
        Option("batch_max", "int", "Objects per batch request (WooCommerce's limit is 100).", default=100),
        Option("rate_per_second", "float", "Requests per second we allow ourselves on the store.", default=5),
    )

    def __init__(self, *, config: AccountConfig, http: ChannelHttp, throttle: Throttle | None = None):
        super().__init__(config=config, http=http, throttle=throttle)
        options = config.options
        self.batch_max = max(1, min(int(options.get("batch_max", BATCH_LIMIT)), BATCH_LIMIT))
        rate = float(options.get("rate_per_second", 5))
        self.rate_limit = RateLimit(per_second=rate, burst=max(1, int(rate)))
        self.client = WooClient(
            http=http,
            base_url=config.base_url,
            key=config.credentials.get("consumer_key", ""),
            secret=config.credentials.get("consumer_secret", ""),
            auth_mode=str(options.get("auth_mode", "header")),
        )

    @classmethod
    def credentials_problems(
        cls, *, credentials: Mapping[str, str], options: Mapping[str, object]
    ) -> list[str]:
        """Both keys are required."""
        return [f"{name} is required" for name in cls.credential_fields if not credentials.get(name)]

    @property
    def secret(self) -> str:
        """The secret of the webhooks we register on this store."""
        return hook_secret(
            consumer_secret=self.config.credentials.get("consumer_secret", ""), base_url=self.config.base_url
        )

    # Listings and quantities

    def listings_fetch(self, *, cursor: str | None) -> ListingPage:
        """One page of products (cursor: the page number) with their variations."""
        page = int(cursor or 1)
        listings, pages = listings_page(client=self.client, page=page)
        return ListingPage(listings=listings, next_cursor=str(page + 1) if page < pages else None)

    def quantities_fetch(self, *, listings: Sequence[ListingRef]) -> dict[str, int]:
        """``stock_quantity`` of the managed ones among ``listings``."""
        return quantities_read(client=self.client, listings=listings)

    def quantities_push(self, *, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        """Absolute ``stock_quantity`` through the batch routes (no compare-and-set on WooCommerce)."""
        return quantities_send(client=self.client, updates=updates, limit=self.batch_max)

    # Orders

    def orders_fetch_changed(self, *, since: datetime | None, cursor: str | None) -> OrderPage:
        """Orders modified after ``since`` (GMT, oldest first), one page of 100 per call.

        The first page of every poll also checks our webhooks: one WooCommerce disabled after
        failed deliveries is re-enabled, and this poll (from the engine's cursor minus the
        overlap) brings in the orders it missed.
        """
        page = int(cursor or 1)
        if page == 1:
            self.webhooks_heal()
        params: dict[str, Any] = {"orderby": "modified", "order": "asc"}
        if since is not None:
            params.update(modified_after=wc_gmt(since), dates_are_gmt="true")
        else:
            params["status"] = "pending,on-hold,processing"
        items, pages = self.client.page("orders", params=params, page=page)
        orders = []
        for item in items:
            try:
                order = order_from_json(item)
            except WebhookPayloadError as exc:
                raise ConnectorError(f"Malformed WooCommerce order: {exc}") from None
            if order is not None:
                orders.append(order)
        return OrderPage(orders=orders, next_cursor=str(page + 1) if page < pages else None)

    # Webhooks

    def _ours(self) -> list[dict]:
        hooks = self.client.every("webhooks", params={"status": "all"})
        return [h for h in hooks if str(h.get("name", "")).startswith(HOOK_NAME) and h.get("topic") in TOPICS]

    def webhooks_heal(self) -> list[int]:
        """Re-enable our hooks WooCommerce disabled (after failed deliveries); their ids."""
        healed = []
        for hook in self._ours():
            if hook.get("status") == "disabled":
                self.client.call("PUT", f"webhooks/{hook['id']}", json={"status": "active"})
                healed.append(int(hook["id"]))
        return healed

    def webhooks_register(self, *, url: str) -> None:
        """One active hook per order topic to ``url`` with our secret; existing ones are updated."""
        existing = {h.get("topic"): h for h in self._ours() if h.get("delivery_url") == url}
        for topic in TOPICS:
            body = {
                "name": f"{HOOK_NAME} {topic}",
                "topic": topic,
                "delivery_url": url,
                "secret": self.secret,
                "status": "active",
            }
            hook = existing.get(topic)
            if hook is None:
                self.client.call("POST", "webhooks", json=body)
            else:
                self.client.call(
                    "PUT", f"webhooks/{hook['id']}", json={"secret": self.secret, "status": "active"}
                )

    def webhook_verify(self, *, headers: Mapping[str, str], body: bytes) -> None:
        """``X-WC-Webhook-Signature`` against our secret, in constant time; the ping raises
        WebhookPing (answered 200, nothing stored)."""
        webhook_signature_check(secret=self.secret, headers=headers, body=body)

    def webhook_parse(self, *, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """An order topic's body is the whole order (``{"id"}`` only for order.deleted: trashing
        changes no stock, so it is ignored); the event id is the delivery id."""
        delivery = header(headers, "X-WC-Webhook-Delivery-ID").strip()
        topic = header(headers, "X-WC-Webhook-Topic").strip()
        if not delivery or not topic:
            raise WebhookPayloadError("No X-WC-Webhook-Delivery-ID or X-WC-Webhook-Topic header")
        try:
            data = json_loads_bounded(body)
        except (ValueError, UnicodeDecodeError):
            raise WebhookPayloadError("The body is not JSON") from None
        if not isinstance(data, dict):
            raise WebhookPayloadError("The body is not a JSON object")
        event_id = f"delivery:{delivery}"
        if topic in ("order.created", "order.updated", "order.restored"):
            order = order_from_json(data)
            if order is not None:
                return WebhookEvent(event_id=event_id, topic=topic, kind="order", payload=data, order=order)
        payload = {"id": data.get("id"), "status": data.get("status")}
        return WebhookEvent(
            event_id=event_id, topic=topic, kind="ignored", payload=json.loads(json.dumps(payload))
        )

    # Fulfilment

    def fulfilment_push(self, *, fulfilment: FulfilmentDTO) -> None:
        """Order completed, tracking note, Shipment Tracking item when the store has it."""
        fulfilment_send(client=self.client, fulfilment=fulfilment)


__all__ = ["WooCommerceConnector", "transport_problem"]
