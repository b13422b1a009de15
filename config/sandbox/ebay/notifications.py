"""The fake's Commerce Notification API and its signed deliveries.

``PUT /config``; ``GET/POST /destination`` (creating one calls the endpoint's GET challenge with a
random code and requires ``{"challengeResponse": sha256hex(code + token + endpoint)}``, else 409
errorId 195020); ``GET/POST /subscription`` (user token with commerce.notification.subscription,
else 403 195011); ``GET /public_key/{kid}`` (app token; unknown kid 404 195001).
Deliveries: one signed ``ORDER_CONFIRMATION`` POST per line item of an order, to each enabled
subscription's destination, in a background thread, retried up to 3 times on a non-2xx answer.
"""

from __future__ import annotations

import hashlib
import threading
import uuid

import requests

from config.sandbox.ebay.signing import Signer, compact
from config.sandbox.ebay.state import Order, Refused, State, iso

BASE = "/commerce/notification/v1"
SUBSCRIBE_SCOPE = "https://api.ebay.com/oauth/api_scope/commerce.notification.subscription"
RETRIES = 3
DOMAIN = "API_NOTIFICATION"


def challenge_expected(code: str, token: str, endpoint: str) -> str:
    return hashlib.sha256((code + token + endpoint).encode()).hexdigest()


def challenge(endpoint: str, token: str) -> bool:
    """eBay's check of an endpoint: GET ?challenge_code= and compare the answer."""
    code = str(uuid.uuid4())
    try:
        answer = requests.get(endpoint, params={"challenge_code": code}, timeout=10)
        return answer.status_code == 200 and answer.json().get("challengeResponse") == challenge_expected(
            code, token, endpoint
        )
    except (requests.RequestException, ValueError, AttributeError):
        return False


def destination_create(state: State, body: object) -> str:
    config = (body or {}).get("deliveryConfig") if isinstance(body, dict) else None
    if not isinstance(config, dict) or not str(config.get("endpoint", "")).startswith(
        ("https://", "http://127.0.0.1", "http://localhost")
    ):
        raise Refused(400, 195017, "Invalid or missing endpoint.", domain=DOMAIN)
    token = str(config.get("verificationToken") or "")
    if not (32 <= len(token) <= 80):
        raise Refused(400, 195019, "Invalid or missing verification token.", domain=DOMAIN)
    if len(str(body.get("name", ""))) > 64:
        raise Refused(400, 195016, "Invalid name.", domain=DOMAIN)
    if body.get("status") not in ("ENABLED", "DISABLED"):
        raise Refused(400, 195018, "Invalid or missing status.", domain=DOMAIN)
    with state.lock:
        if not state.alert_email:
            raise Refused(
                409,
                195003,
                "Please provide configurations required for notifications. Refer to /config",
                domain=DOMAIN,
            )
        if any(d["deliveryConfig"]["endpoint"] == config["endpoint"] for d in state.destinations.values()):
            raise Refused(409, 195021, "Destination exists for this endpoint.", domain=DOMAIN)
    if not challenge(str(config["endpoint"]), token):
        raise Refused(409, 195020, "Challenge verification failed for requested endpoint", domain=DOMAIN)
    with state.lock:
        destination_id = str(uuid.uuid4())
        state.destinations[destination_id] = {
            "destinationId": destination_id,
            "name": body.get("name", ""),
            "status": body["status"],
            "deliveryConfig": {"endpoint": config["endpoint"], "verificationToken": token},
        }
        return destination_id


def subscription_create(state: State, body: object) -> str:
    if not isinstance(body, dict) or body.get("topicId") not in (
        "ORDER_CONFIRMATION",
        "MARKETPLACE_ACCOUNT_DELETION",
    ):
        raise Refused(400, 195007, "Invalid or missing topic id.", domain=DOMAIN)
    with state.lock:
        if body.get("destinationId") not in state.destinations:
            raise Refused(400, 195009, "Invalid or missing destination id.", domain=DOMAIN)
        for sub in state.subscriptions.values():
            if sub["topicId"] == body["topicId"] and sub["destinationId"] == body["destinationId"]:
                raise Refused(409, 195012, "Subscription already exists", domain=DOMAIN)
        subscription_id = str(uuid.uuid4())
        state.subscriptions[subscription_id] = {
            "subscriptionId": subscription_id,
            "topicId": body["topicId"],
            "status": body.get("status", "ENABLED"),
            "destinationId": body["destinationId"],
            "creationDate": iso(state.clock()),
            "payload": body.get("payload") or {},
        }
        return subscription_id


def envelope(topic: str, data: dict, *, moment: float) -> dict:
    return {
        "metadata": {"topic": topic, "schemaVersion": "1.0", "deprecated": False},
        "notification": {
            "notificationId": f"{uuid.uuid4()}_{uuid.uuid4()}",
            "eventDate": iso(moment),
            "publishDate": iso(moment),
            "publishAttemptCount": 1,
            "data": data,
        },
    }


class Deliveries:
    """Signed POSTs to the subscribed destinations; ``log`` keeps (endpoint, status) per attempt."""

    def __init__(self, state: State, signer: Signer) -> None:
        self.state = state
        self.signer = signer
        self.log: list[tuple[str, int]] = []
        self.threads: list[threading.Thread] = []

    def endpoints(self, topic: str) -> list[str]:
        with self.state.lock:
            return [
                self.state.destinations[s["destinationId"]]["deliveryConfig"]["endpoint"]
                for s in self.state.subscriptions.values()
                if s["topicId"] == topic
                and s["status"] == "ENABLED"
                and self.state.destinations.get(s["destinationId"], {}).get("status") == "ENABLED"
            ]

    def order_placed(self, order: Order) -> None:
        for _line in order.lines:
            payload = envelope("ORDER_CONFIRMATION", {"orderId": order.order_id}, moment=self.state.clock())
            for endpoint in self.endpoints("ORDER_CONFIRMATION"):
                thread = threading.Thread(target=self.send, args=(endpoint, payload), daemon=True)
                self.threads.append(thread)
                thread.start()

    def send(self, endpoint: str, payload: dict, *, forged: bool = False) -> int:
        """POST ``payload`` signed (``forged``: with a key eBay never published); the last status."""
        status = 0
        for attempt in range(1, RETRIES + 2):
            payload["notification"]["publishAttemptCount"] = attempt
            body = compact(payload)
            if forged:
                from cryptography.hazmat.primitives.asymmetric import ec

                header = self.signer.header(body, key=ec.generate_private_key(ec.SECP256R1()))
            else:
                header = self.signer.header(body)
            try:
                status = requests.post(
                    endpoint,
                    data=body,
                    headers={"Content-Type": "application/json", "X-EBAY-SIGNATURE": header},
                    timeout=10,
                ).status_code
            except requests.RequestException:
                status = 0
            self.log.append((endpoint, status))
            if 200 <= status < 300 or forged:
                break
        return status
