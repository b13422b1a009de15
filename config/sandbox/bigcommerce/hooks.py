"""Webhook deliveries as BigCommerce makes them, with retries, deactivation and fault quirks.

A delivery is a POST of the thin JSON callback (``scope``, ``store_id``, ``data``, ``hash`` = SHA-1
of the JSON-encoded ``data``, ``created_at``, ``producer``) with the headers set on the hook
verbatim, and Standard Webhooks ``webhook-id`` (the same on every retry of one event),
``webhook-timestamp`` and ``webhook-signature`` (``v1,<base64 HMAC-SHA256 of id.timestamp.body>``
keyed with the hook's API account's client secret). Any 2xx acknowledges it; otherwise it is
retried on ``retry_schedule`` (BigCommerce: 60 s ... 86,400 s over 48 h; scaled down here), and
after the last retry the hook is deactivated (``is_active`` false, a notice recorded in
``state.emails``). A deactivated hook delivers nothing: its events are lost.

Quirks for tests: :meth:`HookDispatcher.duplicate_next` (a delivery sent twice),
:meth:`HookDispatcher.pause` / :meth:`release` (deliveries held, then sent late, in reverse
order if asked), :meth:`forge_next` (a wrong signature).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit


def sign(*, secret: str, webhook_id: str, timestamp: str, body: bytes) -> str:
    """The ``webhook-signature`` value (``v1,<base64>``)."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(secret.encode(), signed, hashlib.sha256).digest()).decode()


@dataclass
class Delivery:
    hook_id: int
    body: bytes
    webhook_id: str
    attempts: int = 0
    due: float = 0.0
    forged: bool = False
    results: list[int] = field(default_factory=list)


class HookDispatcher:
    """Sends the store's events to its active hooks on a background thread."""

    def __init__(self, state, *, retry_schedule=(0.2, 0.5, 1.0), timeout: float = 5.0) -> None:
        self.state = state
        self.retry_schedule = tuple(retry_schedule)
        self.timeout = timeout
        self.queue: list[Delivery] = []
        self.held: list[Delivery] = []
        self.sent: list[dict] = []  # every attempt: hook id, webhook-id, scope, status
        self.paused = False
        self.in_flight = 0
        self._duplicates = 0
        self._forged = 0
        self.cond = threading.Condition()
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        with self.cond:
            self.running = False
            self.cond.notify_all()

    # --- quirks ----------------------------------------------------------------------------------
    def duplicate_next(self, count: int = 1) -> None:
        """The next ``count`` deliveries are each sent twice (same webhook-id, same body)."""
        with self.cond:
            self._duplicates += count

    def forge_next(self, count: int = 1) -> None:
        """The next ``count`` deliveries carry a wrong signature."""
        with self.cond:
            self._forged += count

    def pause(self) -> None:
        """Hold new deliveries until :meth:`release`."""
        with self.cond:
            self.paused = True

    def release(self, *, reverse: bool = False) -> None:
        """Send the held deliveries now (newest first with ``reverse``: out of order)."""
        with self.cond:
            self.paused = False
            held = list(reversed(self.held)) if reverse else list(self.held)
            self.held.clear()
            now = time.monotonic()
            for index, delivery in enumerate(held):
                delivery.due = now + index * 0.001
                self.queue.append(delivery)
            self.cond.notify_all()

    # --- events ----------------------------------------------------------------------------------
    def emit(self, scope: str, data: dict) -> int:
        """An event of ``scope``: one delivery per active hook of that scope; how many."""
        encoded = json.dumps(data, separators=(",", ":")).encode()
        payload = {
            "scope": scope,
            "store_id": "1025646",
            "data": data,
            "hash": hashlib.sha1(encoded).hexdigest(),  # noqa: S324 - BigCommerce's documented hash
            "created_at": int(time.time()),
            "producer": f"stores/{self.state.store_hash}",
        }
        body = json.dumps(payload).encode()
        with self.state.lock:
            hooks = [h for h in self.state.hooks.values() if h["scope"] == scope and h["is_active"]]
        with self.cond:
            for hook in hooks:
                delivery = Delivery(hook_id=hook["id"], body=body, webhook_id=f"msg_{uuid.uuid4().hex}")
                if self._forged:
                    self._forged -= 1
                    delivery.forged = True
                copies = 1
                if self._duplicates:
                    self._duplicates -= 1
                    copies = 2
                for _ in range(copies):
                    copy = Delivery(hook_id=delivery.hook_id, body=body, webhook_id=delivery.webhook_id)
                    copy.forged = delivery.forged
                    (self.held if self.paused else self.queue).append(copy)
            self.cond.notify_all()
        return len(hooks)

    def _run(self) -> None:
        while True:
            with self.cond:
                while self.running and not any(d.due <= time.monotonic() for d in self.queue):
                    waits = [d.due - time.monotonic() for d in self.queue]
                    self.cond.wait(timeout=min(waits) if waits else None)
                if not self.running:
                    return
                delivery = min((d for d in self.queue if d.due <= time.monotonic()), key=lambda d: d.due)
                self.queue.remove(delivery)
                self.in_flight += 1
            try:
                self._attempt(delivery)
            finally:
                with self.cond:
                    self.in_flight -= 1
                    self.cond.notify_all()

    def wait_idle(self, timeout: float = 20.0) -> bool:
        """Wait until nothing is queued or being sent (held deliveries aside); False on timeout."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.queue or self.in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(timeout=min(left, 0.05))
            return True

    def _attempt(self, delivery: Delivery) -> None:
        with self.state.lock:
            hook = dict(self.state.hooks.get(delivery.hook_id) or {})
            account = next(
                (a for a in self.state.accounts.values() if a.client_id == hook.get("client_id")), None
            )
        if not hook or not hook.get("is_active") or account is None:
            return  # deleted or deactivated meanwhile: lost
        timestamp = str(int(time.time()))
        secret = "forged-" + account.client_secret if delivery.forged else account.client_secret
        headers = {
            "Content-Type": "application/json",
            **(hook.get("headers") or {}),
            "webhook-id": delivery.webhook_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": sign(
                secret=secret, webhook_id=delivery.webhook_id, timestamp=timestamp, body=delivery.body
            ),
        }
        status = self._post(hook["destination"], headers, delivery.body)
        delivery.attempts += 1
        scope = json.loads(delivery.body)["scope"]
        with self.cond:
            self.sent.append(
                {"hook_id": hook["id"], "webhook_id": delivery.webhook_id, "scope": scope, "status": status}
            )
        if 200 <= status < 300:
            return
        if delivery.attempts <= len(self.retry_schedule):
            with self.cond:
                delivery.due = time.monotonic() + self.retry_schedule[delivery.attempts - 1]
                self.queue.append(delivery)
                self.cond.notify_all()
            return
        with self.state.lock:  # the last retry failed: BigCommerce deactivates the hook and mails
            stored = self.state.hooks.get(hook["id"])
            if stored is not None and stored["is_active"]:
                stored["is_active"] = False
                stored["updated_at"] = int(time.time())
                self.state.emails.append(
                    {"hook_id": hook["id"], "reason": "deactivated after failed deliveries"}
                )

    def _post(self, url: str, headers: dict, body: bytes) -> int:
        parts = urlsplit(url)
        conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        try:
            conn = conn_class(parts.hostname, parts.port, timeout=self.timeout)
            conn.request(
                "POST", parts.path + (f"?{parts.query}" if parts.query else ""), body=body, headers=headers
            )
            status = conn.getresponse().status
            conn.close()
            return status
        except OSError:
            return 599
