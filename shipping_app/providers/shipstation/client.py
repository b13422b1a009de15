"""Raw HTTP to ShipStation V1: Basic auth, the per-minute limit headers, 429, pagination."""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from shipping_app.providers.base import RetryableProviderError
from shipping_app.providers.http import ProviderHttp

DEFAULT_BASE_URL = "https://ssapi.shipstation.com"


def _reset_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("X-Rate-Limit-Reset")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def _error_text(response: requests.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(data, dict):
        message = data.get("Message") or data.get("message") or ""
        detail = data.get("ExceptionMessage") or data.get("ModelState") or ""
        return f"{message} {detail}".strip()[:500]
    return str(data)[:300]


class ShipStationClient:
    """ShipStation V1 over HTTP. Pauses when the minute's quota is spent (if the reset is near)."""

    def __init__(self, *, base_url: str, api_key: str, api_secret: str):
        token = base64.b64encode(f"{api_key}:{api_secret}".encode()).decode()
        self.http = ProviderHttp(
            base_url=base_url or DEFAULT_BASE_URL,
            auth_headers={"Authorization": f"Basic {token}", "Accept": "application/json"},
            secrets=[api_key, api_secret, token],
            wait_from=_reset_seconds,
            error_text=_error_text,
        )
        self.remaining: int | None = None
        self.reset_at: float | None = None

    def _pace(self) -> None:
        if self.remaining is None or self.remaining > 0 or self.reset_at is None:
            return
        wait = self.reset_at - time.monotonic()
        if wait <= 0:
            return
        if wait > self.http.max_inline_wait:
            raise RetryableProviderError("ShipStation quota for this minute is spent", retry_after=wait)
        time.sleep(wait)

    def _note(self, response: requests.Response) -> None:
        remaining = response.headers.get("X-Rate-Limit-Remaining")
        reset = _reset_seconds(response)
        if remaining is not None and remaining.isdigit():
            self.remaining = int(remaining)
        if reset is not None:
            self.reset_at = time.monotonic() + reset

    def call(
        self, method: str, path_or_url: str, *, json: Any = None, params: Mapping[str, Any] | None = None
    ) -> Any:
        """One call (paced, retried by the HTTP wrapper); returns the decoded JSON body."""
        self._pace()
        try:
            response = self.http.request(method, path_or_url, json=json, params=params)
        finally:
            if self.http.last_response is not None:
                self._note(self.http.last_response)
        return response.json() if response.content else None

    def order_create_or_update(self, *, payload: Mapping[str, Any]) -> dict:
        """POST /orders/createorder: creates, or updates the order with the same ``orderKey``."""
        return self.call("POST", "orders/createorder", json=dict(payload))

    def shipments_list(self, *, params: Mapping[str, Any]) -> dict:
        """GET /shipments with filters and ``page``/``pageSize``."""
        return self.call("GET", "shipments", params=dict(params))

    def webhooks_list(self) -> dict:
        """GET /webhooks: ``{"webhooks": [{"WebHookID", "HookType", "Url", ...}]}``."""
        return self.call("GET", "webhooks")

    def webhook_subscribe(self, *, payload: Mapping[str, Any]) -> dict:
        """POST /webhooks/subscribe (``target_url``, ``event``, ``store_id``, ``friendly_name``)."""
        return self.call("POST", "webhooks/subscribe", json=dict(payload))

    def resource_get(self, *, url: str) -> dict:
        """GET a webhook's resource_url (must be on the account's host), with shipment items."""
        parts = urlsplit(url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() != "includeshipmentitems"]
        query.append(("includeShipmentItems", "true"))
        return self.call("GET", urlunsplit(parts._replace(query=urlencode(query))))
