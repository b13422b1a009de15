"""The generic channel connector (protocol in this package's docstring)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from channels_app.connectors.base import ConfirmsFulfilment, Connector, ReceivesWebhooks, Throttle
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
from channels_app.connectors.errors import ConnectorError, WebhookPayloadError, WebhookSignatureError
from channels_app.connectors.generic.mapping import listing_from_json, order_from_json
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.options import Credential, Option
from channels_app.connectors.registry import connector_register
from config.safejson import json_loads_bounded

PAGE_SIZE = 100


def _header(headers: Mapping[str, str], name: str) -> str:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return ""


def webhook_signature(*, secret: str, body: bytes) -> str:
    """The X-Channel-Signature value for ``body`` (used by the fake server too)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@connector_register
class GenericConnector(Connector, ReceivesWebhooks, ConfirmsFulfilment):
    """Connector for the generic JSON + HMAC protocol. Push mode and limits come from options."""

    kind = "generic"
    label = "Generic JSON channel"
    quantity_mode = "cas"
    credentials = (
        Credential("api_key", "Sent as `Authorization: Bearer <api_key>` on every request."),
        Credential("webhook_secret", "Key of the HMAC-SHA256 `X-Channel-Signature` of webhooks."),
    )
    options = (
        Option("rate_per_second", "float", "Sustained requests per second the channel allows.", default=5),
        Option("burst", "int", "Requests the channel allows in a burst.", default=1),
        Option("batch_max", "int", "Quantities per push request.", default=50),
        Option(
            "quantity_mode",
            "str",
            "How pushes apply: absolute values, compare-and-set, or deltas.",
            default="cas",
            choices=("set", "cas", "delta"),
        ),
    )

    def __init__(self, *, config: AccountConfig, http: ChannelHttp, throttle: Throttle | None = None):
        super().__init__(config=config, http=http, throttle=throttle)
        options = config.options
        self.batch_max = int(options.get("batch_max", 50))
        self.rate_limit = RateLimit(
            per_second=float(options.get("rate_per_second", 5)), burst=int(options.get("burst", 1))
        )
        mode = options.get("quantity_mode", "cas")
        if mode not in ("set", "cas", "delta"):
            raise ConnectorError(f"Unknown quantity_mode {mode!r}")
        self.quantity_mode = mode

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.config.credentials.get('api_key', '')}"}

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        data = self.http.request_json(method, path, headers=self._headers(), **kwargs)
        if not isinstance(data, dict):
            raise ConnectorError(f"{method} {path}: unexpected answer")
        return data

    def orders_fetch_changed(self, *, since: datetime | None, cursor: str | None) -> OrderPage:
        """GET orders updated at or after ``since``."""
        params: dict[str, Any] = {"limit": PAGE_SIZE}
        if since is not None:
            params["updated_since"] = since.isoformat()
        if cursor:
            params["cursor"] = cursor
        data = self._call("GET", "orders", params=params)
        try:
            orders = [order_from_json(o) for o in data["orders"]]
        except (KeyError, WebhookPayloadError) as exc:
            raise ConnectorError(f"Malformed orders page: {exc}") from None
        return OrderPage(orders=orders, next_cursor=data.get("next_cursor"))

    def listings_fetch(self, *, cursor: str | None) -> ListingPage:
        """GET one page of listings."""
        params: dict[str, Any] = {"limit": PAGE_SIZE}
        if cursor:
            params["cursor"] = cursor
        data = self._call("GET", "listings", params=params)
        try:
            listings = [listing_from_json(item) for item in data["listings"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise ConnectorError(f"Malformed listings page: {exc!r}") from None
        return ListingPage(listings=listings, next_cursor=data.get("next_cursor"))

    def quantities_fetch(self, *, listings: Sequence[ListingRef]) -> dict[str, int]:
        """POST quantities/read."""
        data = self._call("POST", "quantities/read", json={"ids": [ref.external_id for ref in listings]})
        return {str(k): int(v) for k, v in (data.get("quantities") or {}).items()}

    def quantities_push(self, *, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        """POST quantities, as sets, compare-and-sets or deltas depending on the mode."""
        items = []
        for update in updates:
            item: dict[str, Any] = {"id": update.listing.external_id, "key": update.idempotency_key}
            if self.quantity_mode == "delta" and update.delta is not None:
                item["delta"] = update.delta
            else:
                item["quantity"] = update.quantity
                if self.quantity_mode == "cas" and update.expected is not None:
                    item["expected"] = update.expected
            items.append(item)
        data = self._call("POST", "quantities", json={"updates": items})
        results = []
        for row in data.get("results") or []:
            status = row.get("status")
            observed = int(row["quantity"]) if row.get("quantity") is not None else None
            if status == "ok":
                results.append(PushResult(external_id=str(row["id"]), outcome="ok", observed=observed))
            elif status == "stale":
                results.append(PushResult(external_id=str(row["id"]), outcome="stale", observed=observed))
            else:
                results.append(
                    PushResult(external_id=str(row["id"]), outcome="error", error=f"channel said {status!r}")
                )
        return results

    def fulfilment_push(self, *, fulfilment: FulfilmentDTO) -> None:
        """POST fulfilments (with the fulfilment's idempotency ``key`` when it has one)."""
        body: dict[str, Any] = {
            "order_id": fulfilment.order_external_id,
            "lines": dict(fulfilment.lines),
            "carrier": fulfilment.carrier,
            "tracking_number": fulfilment.tracking_number,
            "tracking_url": fulfilment.tracking_url,
        }
        if fulfilment.idempotency_key:
            body["key"] = fulfilment.idempotency_key
        self._call("POST", "fulfilments", json=body)

    def webhook_verify(self, *, headers: Mapping[str, str], body: bytes) -> None:
        """Constant-time check of X-Channel-Signature against the webhook secret."""
        secret = self.config.credentials.get("webhook_secret", "")
        given = _header(headers, "X-Channel-Signature")
        if (
            not secret
            or not given
            or not hmac.compare_digest(given, webhook_signature(secret=secret, body=body))
        ):
            raise WebhookSignatureError("Bad webhook signature")

    def webhook_parse(self, *, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Decode the body; order topics carry the whole order."""
        try:
            data = json_loads_bounded(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise WebhookPayloadError("The body is not JSON") from exc
        if not isinstance(data, dict):
            raise WebhookPayloadError("The body is not a JSON object")
        event_id = str(data.get("event_id") or _header(headers, "X-Channel-Event-Id"))
        topic = str(data.get("topic") or _header(headers, "X-Channel-Topic"))
        if not event_id:
            raise WebhookPayloadError("No event id")
        if topic.startswith("order.") and isinstance(data.get("order"), dict):
            return WebhookEvent(
                event_id=event_id,
                topic=topic,
                kind="order",
                payload=data,
                order=order_from_json(data["order"]),
            )
        return WebhookEvent(event_id=event_id, topic=topic, kind="ignored", payload=data)
