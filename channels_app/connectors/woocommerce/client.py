"""WooCommerce REST calls: authentication (Basic or query keys), JSON, paging headers.

Basic auth is the documented way over HTTPS; ``auth_mode="query"`` sends
``consumer_key``/``consumer_secret`` as query parameters, the documented fallback for hosts that
strip the Authorization header. Either way the store must be ``https://`` (plain ``http://`` only
to a loopback test store): the secret never crosses a network in clear.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.http import ChannelHttp

API = "wp-json/wc/v3/"
PER_PAGE = 100


def transport_problem(base_url: str) -> str:
    """Why the keys may not be sent to ``base_url`` ("" when they may)."""
    parts = urlsplit(base_url)
    if parts.scheme == "https":
        return ""
    if parts.scheme == "http":
        host = parts.hostname or ""
        try:
            if host == "localhost" or ipaddress.ip_address(host).is_loopback:
                return ""
        except ValueError:
            pass
        return "WooCommerce keys are only sent over HTTPS: use the store's https:// address"
    return f"Unsupported store URL scheme {parts.scheme!r}"


def total_pages(response: requests.Response) -> int:
    """``X-WP-TotalPages`` (0 when absent or not a number)."""
    try:
        return int(response.headers.get("X-WP-TotalPages") or 0)
    except ValueError:
        return 0


def _decoded(response: requests.Response, where: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ConnectorError(f"{where}: the answer is not JSON") from None


class WooClient:
    """Authenticated JSON calls to one store's ``/wp-json/...`` routes through ``http``."""

    def __init__(self, *, http: ChannelHttp, base_url: str, key: str, secret: str, auth_mode: str):
        problem = transport_problem(base_url)
        if problem:
            raise ConnectorError(problem)
        self.http = http
        self.key = key
        self.secret = secret
        self.auth_mode = auth_mode

    def _auth(self, params: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, str]]:
        query = dict(params or {})
        if self.auth_mode == "query":
            query.update(consumer_key=self.key, consumer_secret=self.secret)
            return query, {}
        token = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
        return query, {"Authorization": f"Basic {token}"}

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        api: str = API,
    ) -> requests.Response:
        """One call to ``api + path``; a 2xx response or the ChannelHttp errors.

        In header mode, a 401 ``woocommerce_rest_cannot_view`` (the request reached WooCommerce
        without credentials: the host dropped the Authorization header) is tried once more with
        the query-string keys, which this client then keeps using.
        """
        try:
            return self._send(method, path, params=params, json=json, api=api)
        except ConnectorError as exc:
            dropped = exc.status == 401 and "woocommerce_rest_cannot_view" in exc.body
            if self.auth_mode != "header" or not dropped:
                raise
        self.auth_mode = "query"
        return self._send(method, path, params=params, json=json, api=api)

    def _send(self, method: str, path: str, *, params: Mapping[str, Any] | None, json: Any, api: str):
        query, headers = self._auth(params)
        headers["Accept"] = "application/json"
        return self.http.request(method, api + path, params=query, headers=headers, json=json)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """:meth:`send` and decode the JSON body."""
        return _decoded(self.send(method, path, **kwargs), f"{method} {path}")

    def page(self, path: str, *, params: Mapping[str, Any], page: int) -> tuple[list, int]:
        """One page of a list route: (items, X-WP-TotalPages)."""
        response = self.send("GET", path, params={**params, "per_page": PER_PAGE, "page": page})
        items = _decoded(response, f"GET {path}")
        if not isinstance(items, list):
            raise ConnectorError(f"GET {path}: expected a list")
        return items, total_pages(response)

    def every(self, path: str, *, params: Mapping[str, Any]) -> list:
        """Every item of a list route, page by page until ``X-WP-TotalPages``."""
        items: list = []
        page = 1
        while True:
            batch, pages = self.page(path, params=params, page=page)
            items.extend(batch)
            if page >= pages or not batch:
                return items
            page += 1
