"""Subscribing an account to ORDER_CONFIRMATION (Commerce Notification API), idempotently.

1. ``PUT /config`` ``{"alertEmail"}`` when an alert e-mail is set (app token);
2. the destination whose ``deliveryConfig.endpoint`` is ours (``GET /destination``), else
   ``POST /destination`` - eBay then calls the endpoint's GET challenge with our verification
   token and refuses (409, errorId 195020) when the answer is wrong;
3. the ENABLED ``ORDER_CONFIRMATION`` subscription to it (``GET /subscription`` with the seller's
   token), else ``POST /subscription`` (JSON, schema 1.0, HTTPS).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels_app.connectors.ebay.client import EbayClient
from channels_app.connectors.errors import ConnectorError

BASE = "commerce/notification/v1"
TOPIC = "ORDER_CONFIRMATION"


def _id_from_location(location: str) -> str:
    return urlsplit(location).path.rstrip("/").rpartition("/")[2]


def destination_ensure(*, client: EbayClient, endpoint: str, verification_token: str) -> str:
    """The id of the destination delivering to ``endpoint`` (created when missing)."""
    data = client.json(
        "GET", f"{BASE}/destination", api="notification", params={"limit": "100"}, app_token=True
    )
    for destination in data.get("destinations") or []:
        if (destination.get("deliveryConfig") or {}).get("endpoint") == endpoint:
            return str(destination["destinationId"])
    body = {
        "name": ("stockmaster " + urlsplit(endpoint).path.rstrip("/").rpartition("/")[2])[:64],
        "status": "ENABLED",
        "deliveryConfig": {"endpoint": endpoint, "verificationToken": verification_token},
    }
    response = client.call("POST", f"{BASE}/destination", api="notification", json_body=body, app_token=True)
    found = _id_from_location(response.headers.get("Location", ""))
    if not found:
        raise ConnectorError("eBay created the destination without a Location")
    return found


def notifications_subscribe(
    *, client: EbayClient, endpoint: str, verification_token: str, alert_email: str
) -> str:
    """Steps 1-3 of the module; the subscription id."""
    if alert_email:
        client.call(
            "PUT", f"{BASE}/config", api="notification", json_body={"alertEmail": alert_email}, app_token=True
        )
    destination = destination_ensure(client=client, endpoint=endpoint, verification_token=verification_token)
    data = client.json("GET", f"{BASE}/subscription", api="notification", params={"limit": "100"})
    for subscription in data.get("subscriptions") or []:
        if subscription.get("topicId") == TOPIC and subscription.get("destinationId") == destination:
            if subscription.get("status") != "ENABLED":
                client.call(
                    "POST", f"{BASE}/subscription/{subscription['subscriptionId']}/enable", api="notification"
                )
            return str(subscription["subscriptionId"])
    body = {
        "topicId": TOPIC,
        "status": "ENABLED",
        "destinationId": destination,
        "payload": {"format": "JSON", "schemaVersion": "1.0", "deliveryProtocol": "HTTPS"},
    }
    response = client.call("POST", f"{BASE}/subscription", api="notification", json_body=body)
    return _id_from_location(response.headers.get("Location", ""))
