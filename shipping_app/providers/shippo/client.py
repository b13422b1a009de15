"""Raw HTTP to Shippo: the ShippoToken header, 429 with Retry-After, paginated lists."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import requests

from shipping_app.providers.http import ProviderHttp, host_root

DEFAULT_BASE_URL = "https://api.goshippo.com"
API_VERSION = "2018-02-08"


def _error_text(response: requests.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:300]
    return str(data.get("detail") if isinstance(data, dict) and "detail" in data else data)[:500]


class ShippoClient:
    """Shippo over HTTP."""

    def __init__(self, *, base_url: str, token: str):
        self.http = ProviderHttp(
            base_url=base_url or DEFAULT_BASE_URL,
            auth_headers={"Authorization": f"ShippoToken {token}", "SHIPPO-API-VERSION": API_VERSION},
            secrets=[token],
            error_text=_error_text,
        )

    def shipment_create(self, *, payload: Mapping[str, Any]) -> dict:
        """POST /shipments (synchronous: rates in the answer)."""
        return self.http.request("POST", "shipments/", json=dict(payload)).json()

    def transaction_create(self, *, payload: Mapping[str, Any]) -> dict:
        """POST /transactions: buys a label. Not retried after a timeout or 5xx (see ProviderHttp)."""
        return self.http.request("POST", "transactions/", json=dict(payload), idempotent=False).json()

    def webhooks_list(self) -> dict:
        """GET /webhooks: ``{"results": [{"object_id", "url", "event", "active", ...}]}``."""
        return self.http.request("GET", "webhooks/").json()

    def webhook_create(self, *, payload: Mapping[str, Any]) -> dict:
        """POST /webhooks (``url``, ``event``, ``active``, ``is_test``)."""
        return self.http.request("POST", "webhooks/", json=dict(payload)).json()

    def transactions_for_rate(self, *, rate_id: str) -> Iterator[dict]:
        """Every transaction bought for ``rate_id`` (GET /transactions?rate=..., all pages)."""
        url: str | None = "transactions/"
        params: dict[str, Any] | None = {"rate": rate_id, "results": 100}
        pages = 0
        while url and pages < 20:
            data = self.http.request("GET", url, params=params).json()
            yield from data.get("results") or []
            url, params, pages = data.get("next"), None, pages + 1

    def document_get(self, *, url: str) -> bytes:
        """GET a label document. Shippo serves labels from its storage host: a URL on the
        account's host goes with our token; any other is fetched without it, through a session
        confined to that URL's host (https, public addresses, no redirects, bounded retries).
        """
        if url.startswith(self.http.base_url):
            return self.http.request("GET", url).content
        root, rest = host_root(url)
        return ProviderHttp(base_url=root, error_text=_error_text).request("GET", rest).content
