"""Webhook delivery: REST-style JSON payloads, HMAC-signed, retried, with fault injection.

Facts (README.md has the sources): the body is the REST representation of the resource; headers
X-Shopify-Topic, X-Shopify-Hmac-Sha256 (base64 HMAC-SHA256 of the raw body keyed with the app's
client secret), X-Shopify-Shop-Domain, X-Shopify-API-Version, X-Shopify-Webhook-Id,
X-Shopify-Event-Id, X-Shopify-Triggered-At; a non-2xx answer (or no answer within 5 s) is retried 8
times over 4 hours with exponential backoff, with the original payload, and a subscription created
through the API is deleted after its deliveries keep failing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import heapq
import hmac
import http.client
import itertools
import json
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .models import Fulfillment, InventoryLevel, Order, Refund

TOPICS = {
    "ORDERS_CREATE": "orders/create",
    "ORDERS_UPDATED": "orders/updated",
    "ORDERS_CANCELLED": "orders/cancelled",
    "ORDERS_FULFILLED": "orders/fulfilled",
    "ORDERS_PARTIALLY_FULFILLED": "orders/partially_fulfilled",
    "ORDERS_PAID": "orders/paid",
    "REFUNDS_CREATE": "refunds/create",
    "INVENTORY_LEVELS_UPDATE": "inventory_levels/update",
    "FULFILLMENTS_CREATE": "fulfillments/create",
}
# 8 retries over 4 hours, exponential: 56.5 s, 113 s, ... (sum = 14400 s).
SHOPIFY_RETRY_SCHEDULE = tuple(round(14400 / 255 * 2**i, 1) for i in range(8))


def sign(secret: str, body: bytes) -> str:
    """X-Shopify-Hmac-Sha256 of ``body``."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def rest_time(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _money(value: float) -> str:
    return f"{value:.2f}"


def line_item_payload(state, li, quantity: int | None = None) -> dict:
    variant = state.variants.get(li.variant_id)
    remaining = 0 if li.cancelled else li.quantity - li.fulfilled_quantity
    status = (
        "fulfilled"
        if li.fulfilled_quantity >= li.quantity
        else ("partial" if li.fulfilled_quantity else None)
    )
    return {
        "id": li.id,
        "admin_graphql_api_id": li.gid,
        "variant_id": li.variant_id,
        "product_id": variant.product_id if variant else None,
        "sku": li.sku,
        "title": li.title,
        "variant_title": variant.title if variant else None,
        "name": li.title,
        "vendor": "Fake Linen Shop",
        "quantity": li.quantity if quantity is None else quantity,
        "current_quantity": 0 if li.cancelled else li.quantity - li.refunded_quantity,
        "fulfillable_quantity": remaining,
        "fulfillment_status": status,
        "fulfillment_service": "manual",
        "price": li.price,
        "total_discount": "0.00",
        "requires_shipping": True,
        "taxable": True,
        "gift_card": False,
        "grams": 0,
        "product_exists": variant is not None,
    }


def fulfillment_payload(state, f: Fulfillment) -> dict:
    order = state.orders[f.order_id]
    fo_location = state.fulfillment_orders[order.fulfillment_order_ids[0]].location_id
    return {
        "id": f.id,
        "admin_graphql_api_id": f.gid,
        "order_id": f.order_id,
        "name": f.name,
        "status": f.status.lower(),
        "created_at": rest_time(f.created_at),
        "updated_at": rest_time(f.created_at),
        "location_id": fo_location,
        "service": "manual",
        "shipment_status": None,
        "tracking_company": f.tracking[0]["company"] if f.tracking else None,
        "tracking_number": f.tracking[0]["number"] if f.tracking else None,
        "tracking_numbers": [t["number"] for t in f.tracking if t["number"]],
        "tracking_url": f.tracking[0]["url"] if f.tracking else None,
        "tracking_urls": [t["url"] for t in f.tracking if t["url"]],
        "line_items": [line_item_payload(state, state.line_items[li_id], qty) for li_id, qty in f.lines],
    }


def refund_payload(state, refund: Refund) -> dict:
    return {
        "id": refund.id,
        "admin_graphql_api_id": refund.gid,
        "order_id": refund.order_id,
        "created_at": rest_time(refund.created_at),
        "processed_at": rest_time(refund.created_at),
        "restock": refund.restock,
        "note": refund.note,
        "transactions": [],
        "order_adjustments": [],
        "refund_line_items": [
            {
                **line,
                "subtotal": _money(float(state.line_items[line["line_item_id"]].price) * line["quantity"]),
                "total_tax": "0.00",
                "line_item": line_item_payload(state, state.line_items[line["line_item_id"]]),
            }
            for line in refund.lines
        ],
    }


def order_payload(state, order: Order) -> dict:
    total = sum(float(li.price) * li.quantity for li in order.line_items)
    status = order.fulfillment_status
    return {
        "id": order.id,
        "admin_graphql_api_id": order.gid,
        "name": order.name,
        "order_number": order.number,
        "number": order.number - 1000,
        "email": order.email,
        "contact_email": order.email,
        "created_at": rest_time(order.created_at),
        "updated_at": rest_time(order.updated_at),
        "processed_at": rest_time(order.created_at),
        "cancelled_at": rest_time(order.cancelled_at),
        "cancel_reason": order.cancel_reason.lower() if order.cancel_reason else None,
        "closed_at": rest_time(order.closed_at),
        "confirmed": True,
        "test": order.test,
        "note": order.note,
        "currency": order.currency,
        "presentment_currency": order.currency,
        "financial_status": order.financial_status.lower(),
        "fulfillment_status": {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial"}.get(status),
        "total_price": _money(total),
        "subtotal_price": _money(total),
        "total_line_items_price": _money(total),
        "total_tax": "0.00",
        "total_discounts": "0.00",
        "taxes_included": False,
        "source_name": "web",
        "tags": "",
        "line_items": [line_item_payload(state, li) for li in order.line_items],
        "fulfillments": [fulfillment_payload(state, f) for f in order.fulfillments],
        "refunds": [],
    }


def inventory_level_payload(state, level: InventoryLevel) -> dict:
    return {
        "inventory_item_id": level.item_id,
        "location_id": level.location_id,
        "available": level.get("available"),
        "updated_at": rest_time(level.updated_at),
        "admin_graphql_api_id": f"{level.gid}?inventory_item_id={level.item_id}",
    }


def payload_for(state, obj) -> dict:
    if isinstance(obj, Order):
        return order_payload(state, obj)
    if isinstance(obj, Fulfillment):
        return fulfillment_payload(state, obj)
    if isinstance(obj, Refund):
        return refund_payload(state, obj)
    if isinstance(obj, InventoryLevel):
        return inventory_level_payload(state, obj)
    raise TypeError(f"no webhook payload for {obj!r}")


@dataclass
class Delivery:
    """One webhook to one subscription (kept across retries: same body and headers)."""

    subscription_id: int
    topic: str
    url: str
    body: bytes
    headers: dict
    attempt: int = 0
    log: list = field(default_factory=list)


@dataclass
class WebhookFaults:
    """Delivery faults: extra copies, fixed/random delay, a wrong signature."""

    duplicates: int = 0
    delay: float = 0.0
    jitter: float = 0.0
    bad_signature: bool = False


class WebhookDispatcher:
    """Delivers webhooks of ``fake.state`` events to its subscriptions on background threads."""

    def __init__(
        self,
        fake,
        *,
        retry_schedule=SHOPIFY_RETRY_SCHEDULE,
        timeout: float = 5.0,
        workers: int = 4,
        seed: int = 0,
    ) -> None:
        self.fake = fake
        self.retry_schedule = tuple(retry_schedule)
        self.timeout = timeout
        self.faults = WebhookFaults()
        self.attempts: list[dict] = []  # every HTTP attempt, in order
        self.failed: list[Delivery] = []  # deliveries that exhausted their retries
        self._rng = random.Random(seed)
        self._heap: list = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._in_flight = 0
        self._held: list[Delivery] | None = None
        self._stopping = False
        self._threads = [
            threading.Thread(target=self._work, daemon=True, name=f"shopify-webhooks-{i}")
            for i in range(workers)
        ]
        for t in self._threads:
            t.start()

    # --- producing --------------------------------------------------------------------------------
    def on_event(self, topic: str, obj) -> None:
        state = self.fake.state
        subs = [s for s in state.subscriptions.values() if s.topic == topic]
        if not subs:
            return
        full = payload_for(state, obj)
        event_id = str(uuid.uuid4())
        triggered = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"
        for sub in subs:
            body_obj = (
                {k: v for k, v in full.items() if k in sub.include_fields} if sub.include_fields else full
            )
            body = json.dumps(body_obj, separators=(",", ":")).encode()
            signature = sign(self.fake.client_secret, body)
            if self.faults.bad_signature:
                signature = sign("not-the-secret", body)
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "Shopify-Captain-Hook",
                "X-Shopify-Topic": TOPICS[topic],
                "X-Shopify-Hmac-Sha256": signature,
                "X-Shopify-Shop-Domain": state.shop["domain"],
                "X-Shopify-API-Version": sub.api_version,
                "X-Shopify-Webhook-Id": str(uuid.uuid4()),
                "X-Shopify-Event-Id": event_id,
                "X-Shopify-Triggered-At": triggered,
            }
            for _ in range(1 + self.faults.duplicates):
                self._enqueue(
                    Delivery(sub.id, TOPICS[topic], sub.callback_url, body, dict(headers)), first=True
                )

    def _enqueue(self, delivery: Delivery, *, first: bool, wait: float = 0.0) -> None:
        with self._cond:
            if first and self._held is not None:
                self._held.append(delivery)
                return
            if first:
                wait += self.faults.delay + (
                    self._rng.uniform(0, self.faults.jitter) if self.faults.jitter else 0
                )
            heapq.heappush(self._heap, (time.monotonic() + wait, next(self._seq), delivery))
            self._cond.notify()

    def hold(self) -> None:
        """Keep new deliveries back until ``release()`` (to deliver them out of order)."""
        with self._cond:
            self._held = []

    def release(self, order: str = "reverse") -> None:
        """Send the held deliveries: ``fifo``, ``reverse`` or ``shuffle`` (seeded)."""
        with self._cond:
            held, self._held = self._held or [], None
        if order == "reverse":
            held.reverse()
        elif order == "shuffle":
            self._rng.shuffle(held)
        for i, delivery in enumerate(held):
            self._enqueue(delivery, first=False, wait=i * 0.01)

    # --- consuming ----------------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and (not self._heap or self._heap[0][0] > time.monotonic()):
                    self._cond.wait(timeout=(self._heap[0][0] - time.monotonic()) if self._heap else None)
                if self._stopping:
                    return
                _, _, delivery = heapq.heappop(self._heap)
                self._in_flight += 1
            try:
                self._attempt(delivery)
            finally:
                with self._cond:
                    self._in_flight -= 1
                    self._cond.notify_all()

    def _attempt(self, delivery: Delivery) -> None:
        delivery.attempt += 1
        status, error = None, None
        url = urlsplit(delivery.url)
        conn_class = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        connection = conn_class(url.hostname, url.port, timeout=self.timeout)
        try:  # http.client keeps the header names' case exactly as Shopify sends them
            connection.request(
                "POST", url.path + (f"?{url.query}" if url.query else ""), delivery.body, delivery.headers
            )
            status = connection.getresponse().status
        except (OSError, http.client.HTTPException) as exc:
            error = repr(exc)
        finally:
            connection.close()
        ok = status is not None and 200 <= status < 300
        self.attempts.append(
            {
                "topic": delivery.topic,
                "url": delivery.url,
                "attempt": delivery.attempt,
                "status": status,
                "error": error,
                "webhook_id": delivery.headers["X-Shopify-Webhook-Id"],
            }
        )
        self.fake.count("webhooks_delivered" if ok else "webhook_failures")
        if ok:
            return
        if delivery.attempt <= len(self.retry_schedule):
            self._enqueue(delivery, first=False, wait=self.retry_schedule[delivery.attempt - 1])
            return
        self.failed.append(delivery)
        with self.fake.state.lock:  # Shopify removes an API-created subscription that keeps failing
            self.fake.state.subscriptions.pop(delivery.subscription_id, None)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until nothing is queued (held deliveries excepted) or in flight."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(timeout=min(left, 0.05))
        return True

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for t in self._threads:
            t.join(timeout=2)
