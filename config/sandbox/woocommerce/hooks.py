"""The fake's webhooks: the REST resource and deliveries as WooCommerce makes them.

A delivery is a POST of the order's JSON (``{"id"}`` for order.deleted) with the seven
``X-WC-Webhook-*`` headers, signed base64(HMAC-SHA256(body, secret)). 2xx/301/302 is a success
(the failure count goes back to 0); anything else, or no answer, a failure: at ``max_failures``
consecutive failures the hook is ``disabled`` and delivers nothing more until a PUT sets it
``active`` (the count is not reset by that). Failed deliveries are not retried. Creating a hook
pings its URL with an unsigned ``webhook_id=<id>`` body.

Quirks for tests (attributes of :class:`Hooks`): ``duplicate`` sends every delivery twice with
the same delivery id; ``delay`` seconds before each delivery (late); ``hold()`` queues
deliveries until ``release(reverse=...)`` (out of order); ``payload_at_delivery`` (default, as
WooCommerce) builds the body when sending, else when the event happened (an older snapshot
arriving late).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import queue
import threading
import uuid

import requests

from config.sandbox.woocommerce.store import Store, gmt

TOPIC_HOOKS = {
    "order.created": ["woocommerce_new_order"],
    "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
    "order.deleted": ["wp_trash_post", "woocommerce_trash_order"],
    "order.restored": ["untrashed_post", "woocommerce_untrash_order"],
}
RESOURCES = ("order", "product", "customer", "coupon")
EVENTS = ("created", "updated", "deleted", "restored")


def sign(secret: str, body: bytes) -> str:
    """``X-WC-Webhook-Signature`` of ``body``."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class Hooks:
    """The store's webhooks and their delivery thread."""

    def __init__(self, store: Store, *, source: str = "", max_failures: int = 5, workers: int = 1) -> None:
        self.store = store
        self.source = source
        self.max_failures = max_failures
        self.hooks: dict[int, dict] = {}
        self.duplicate = False
        self.delay = 0.0
        self.payload_at_delivery = True
        self.held: list[tuple] | None = None
        self.forge = False
        self.log: list[dict] = []  # every delivery attempt: topic, order id, status code
        self.queue: queue.Queue = queue.Queue()
        self.idle = threading.Event()
        self.idle.set()
        self.busy = 0  # deliveries queued or waiting out their delay
        self.busy_lock = threading.Lock()
        for _ in range(workers):  # WooCommerce's queue runners: more than one delivers at once
            threading.Thread(target=self._run, daemon=True).start()
        store.on_order_event = self.event

    # REST resource -----------------------------------------------------------------------------

    def create(self, data: dict) -> dict:
        """POST /webhooks (validated by the caller); pings the URL like WooCommerce."""
        now = gmt(self.store.now())
        resource, _, event = data["topic"].partition(".")
        hook = {
            "id": self.store.next_id(),
            "name": data.get("name") or "Webhook",
            "status": data.get("status") or "active",
            "topic": data["topic"],
            "resource": resource,
            "event": event,
            "hooks": TOPIC_HOOKS.get(data["topic"], []),
            "delivery_url": data["delivery_url"],
            "secret": data.get("secret") or uuid.uuid4().hex,
            "failure_count": 0,
            "date_created": now,
            "date_created_gmt": now,
            "date_modified": now,
            "date_modified_gmt": now,
        }
        self.hooks[hook["id"]] = hook
        self.ping(hook)
        return hook

    @staticmethod
    def public(hook: dict) -> dict:
        """The hook as the API shows it (``secret`` is write-only, ``failure_count`` internal)."""
        return {k: v for k, v in hook.items() if k not in ("secret", "failure_count")}

    def ping(self, hook: dict) -> int | None:
        try:
            return requests.post(
                hook["delivery_url"],
                data=f"webhook_id={hook['id']}",
                timeout=10,
                headers={
                    "User-Agent": "WooCommerce/9.9.0 Hookshot (WordPress/6.8)",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                allow_redirects=False,
            ).status_code
        except requests.RequestException:
            return None

    # Deliveries ---------------------------------------------------------------------------------

    def event(self, topic: str, order: dict) -> None:
        """An order changed: queue one delivery per active hook of ``topic``."""
        for hook in list(self.hooks.values()):
            if hook["topic"] != topic or hook["status"] != "active":
                continue
            snapshot = None if self.payload_at_delivery else self._payload(topic, order)
            item = (hook["id"], topic, order["id"], snapshot, uuid.uuid4().hex, self.duplicate, self.delay)
            if self.held is not None:
                self.held.append(item)
            else:
                self._enqueue(item)

    def _enqueue(self, item: tuple) -> None:
        with self.busy_lock:
            self.busy += 1
            self.idle.clear()
        self.queue.put(item)

    def _done(self) -> None:
        with self.busy_lock:
            self.busy -= 1
            if self.busy == 0:
                self.idle.set()

    def hold(self) -> None:
        """Queue deliveries until :meth:`release`."""
        self.held = []

    def release(self, *, reverse: bool = False) -> None:
        """Send the held deliveries (newest first with ``reverse``)."""
        held, self.held = self.held or [], None
        for item in reversed(held) if reverse else held:
            self._enqueue(item)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every queued delivery was attempted."""
        return self.idle.wait(timeout)

    def _payload(self, topic: str, order: dict) -> dict:
        if topic == "order.deleted":
            return {"id": order["id"]}
        return copy.deepcopy(order)

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item[-1]:  # late: delivered after its delay, without holding up the others
                timer = threading.Timer(item[-1], self._deliver_then_done, args=(item,))
                timer.daemon = True
                timer.start()
                continue
            self._deliver_then_done(item)

    def _deliver_then_done(self, item: tuple) -> None:
        try:
            self._deliver(*item[:-1])
        finally:
            self._done()

    def _deliver(
        self,
        hook_id: int,
        topic: str,
        order_id: int,
        snapshot: dict | None,
        delivery_id: str,
        duplicate: bool,
    ) -> None:
        with self.store.lock:
            hook = self.hooks.get(hook_id)
            if hook is None or hook["status"] != "active":
                return
            payload = snapshot or self._payload(topic, self.store.orders[order_id])
            body = json.dumps(payload, separators=(",", ":")).encode()
            secret = "forged" if self.forge else hook["secret"]
        resource, _, event = topic.partition(".")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "WooCommerce/9.9.0 Hookshot (WordPress/6.8)",
            "X-WC-Webhook-Source": self.source,
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": sign(secret, body),
            "X-WC-Webhook-ID": str(hook_id),
            "X-WC-Webhook-Delivery-ID": delivery_id,
        }
        for _ in range(2 if duplicate else 1):
            try:
                code = requests.post(
                    hook["delivery_url"], data=body, headers=headers, timeout=60, allow_redirects=False
                ).status_code
            except requests.RequestException:
                code = None
            self.log.append({"topic": topic, "order": order_id, "status": code, "delivery": delivery_id})
            with self.store.lock:
                if code is not None and (200 <= code < 300 or code in (301, 302)):
                    hook["failure_count"] = 0
                else:
                    hook["failure_count"] += 1
                    if hook["failure_count"] >= self.max_failures:
                        hook["status"] = "disabled"
                        return
