"""Calls to eBay's REST APIs with the account's user token (or the app token).

Every call carries ``Authorization: Bearer``, ``Accept: application/json`` and the account's
``X-EBAY-C-MARKETPLACE-ID``; a JSON body gets ``Content-Type: application/json`` (required by
bulkUpdatePriceQuantity, bulkMigrateListing and createShippingFulfillment). Each call first takes
a token of its API's shared bucket (``Connector.rate_limits``). A 401 renews the user token once.
A 429 (errorId 2001: the app's daily call quota, or a burst limit) is retryable: eBay sends no
Retry-After, so the connector waits until the quota's day turns (midnight America/Los_Angeles),
at most :data:`QUOTA_WAIT_MAX` seconds, then tries again.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from channels_app.connectors.base import Throttle
from channels_app.connectors.ebay.auth import EbayAuth
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.http import ChannelHttp

PACIFIC = ZoneInfo("America/Los_Angeles")
QUOTA_WAIT_MAX = 900.0


def seconds_to_pacific_midnight(*, now: float) -> float:
    """Seconds from ``now`` (epoch) to the next 00:00 America/Los_Angeles."""
    local = datetime.fromtimestamp(now, PACIFIC)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(midnight.timestamp() - now, 1.0)


def error_ids(body: str) -> list[int]:
    """The ``errorId``s of an eBay error body (empty when it is not one)."""
    try:
        data = json.loads(body)
    except ValueError:
        return []
    errors = data.get("errors") if isinstance(data, dict) else None
    return [int(e["errorId"]) for e in errors or [] if isinstance(e, dict) and "errorId" in e]


class EbayClient:
    """One account's REST calls (see the module)."""

    def __init__(self, *, http: ChannelHttp, auth: EbayAuth, throttle: Throttle, marketplace_id: str) -> None:
        self.http = http
        self.auth = auth
        self.throttle = throttle
        self.marketplace_id = marketplace_id

    def _headers(self, bearer: str, *, has_json: bool) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {bearer}",
            "Accept": "application/json",
            "X-EBAY-C-MARKETPLACE-ID": self.marketplace_id,
        }
        if has_json:
            headers["Content-Type"] = "application/json"
        return headers

    def call(
        self,
        method: str,
        path: str,
        *,
        api: str,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        app_token: bool = False,
    ):
        """Send one call of ``api`` (its throttle bucket); the ``requests.Response`` (2xx)."""
        self.throttle(api)
        for attempt in (1, 2):
            token = None if app_token else self.auth.token()
            bearer = self.auth.app_token() if app_token else token.access_token  # type: ignore[union-attr]
            try:
                return self.http.request(
                    method,
                    path,
                    params=params,
                    json=json_body,
                    headers=self._headers(bearer, has_json=json_body is not None),
                )
            except RetryableError as exc:
                if exc.status == 429 and exc.retry_after is None:
                    wait = min(seconds_to_pacific_midnight(now=self.auth.tokens.now()), QUOTA_WAIT_MAX)
                    raise RetryableError(str(exc), retry_after=wait, status=429, body=exc.body) from None
                raise
            except ConnectorError as exc:
                if exc.status == 401 and attempt == 1 and token is not None:
                    self.auth.refused(token)
                    continue
                raise
        raise ConnectorError(f"{method} {path}: eBay refused the renewed token")  # pragma: no cover

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """:meth:`call` and decode its JSON object (``{}`` for an empty body)."""
        response = self.call(method, path, **kwargs)
        if not response.content:
            return {}
        try:
            data = response.json()
        except ValueError:
            raise ConnectorError(f"{method} {path}: eBay answered something other than JSON") from None
        if not isinstance(data, dict):
            raise ConnectorError(f"{method} {path}: eBay answered an unexpected JSON shape")
        return data
