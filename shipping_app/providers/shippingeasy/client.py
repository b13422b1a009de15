"""Raw HTTP to ShippingEasy: every request signed with api_key, api_timestamp and api_signature."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from shipping_app.providers.http import ProviderHttp
from shipping_app.providers.shippingeasy.webhooks import signature_compute

DEFAULT_BASE_URL = "https://app.shippingeasy.com"


def _error_text(response: requests.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:300]
    return str(data.get("errors") if isinstance(data, dict) and "errors" in data else data)[:500]


class ShippingEasyClient:
    """ShippingEasy over HTTP. The body is serialised once, and those exact bytes are signed and sent."""

    def __init__(self, *, base_url: str, api_key: str, api_secret: str, clock=time.time):
        self.api_key, self.api_secret = api_key, api_secret
        self.clock = clock
        self.http = ProviderHttp(
            base_url=base_url or DEFAULT_BASE_URL, secrets=[api_key, api_secret], error_text=_error_text
        )
        self.root = urlsplit(self.http.base_url).path.rstrip("/")

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        payload: Any = None,
        idempotent: bool = True,
    ) -> dict:
        """One signed call; ``path`` starts with /api. Returns the decoded JSON body.

        ``idempotent=False`` (order create): not retried after a timeout or 5xx.
        """
        body = json.dumps(payload, separators=(",", ":")) if payload is not None else ""
        signed: dict[str, Any] = {
            **{k: v for k, v in (params or {}).items() if v is not None},
            "api_key": self.api_key,
            "api_timestamp": int(self.clock()),
        }
        signed["api_signature"] = signature_compute(
            secret=self.api_secret, method=method, path=f"{self.root}{path}", params=signed, body=body
        )
        response = self.http.request(
            method,
            path.lstrip("/"),
            params=signed,
            data=body.encode() if body else None,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            idempotent=idempotent,
        )
        return response.json() if response.content else {}

    def order_create(self, *, store_api_key: str, payload: Mapping[str, Any]) -> dict:
        """POST /api/stores/<store_api_key>/orders (creates every time: never retried blindly)."""
        return self.call(
            "POST", f"/api/stores/{store_api_key}/orders", payload=dict(payload), idempotent=False
        )

    def order_cancel(self, *, store_api_key: str, external_order_identifier: str) -> dict:
        """POST /api/stores/<store_api_key>/orders/<external_order_identifier>/cancellations."""
        return self.call(
            "POST",
            f"/api/stores/{store_api_key}/orders/{external_order_identifier}/cancellations",
            payload={},
        )

    def orders_find(self, *, params: Mapping[str, Any]) -> dict:
        """GET /api/orders with filters (order_number, status, last_updated_at, page, per_page)."""
        return self.call("GET", "/api/orders", params=params)
