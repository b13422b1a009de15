"""Raw GraphQL over HTTP to one shop's Admin API, with the calculated-cost leaky bucket.

Every answer carries ``extensions.cost`` (``requestedQueryCost``, ``actualQueryCost``,
``throttleStatus {maximumAvailable, currentlyAvailable, restoreRate}``;
https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits). The client remembers the last
status and the cost each named operation requested, and before a call it projects the bucket
(available + elapsed x restore rate): when the call would not fit it pauses for the deficit /
restore rate, so THROTTLED is not provoked. Pauses are bounded by ``max_wait``: anything longer is
raised as ``RetryableError(retry_after=...)`` for the engine to schedule (connectors do not hold a
worker for long). A THROTTLED answer (HTTP 200, ``extensions.code == "THROTTLED"``, nothing ran)
and HTTP 429 are retried the same way with backoff; 5xx and timeouts only for ``idempotent`` calls
(a mutation whose first attempt may have run is not blindly sent twice).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.shopify.auth import ShopifyAuth
from channels_app.connectors.shopify.versions import VersionRules, version_key

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
BACKOFF_BASE = 0.5
DEFAULT_ESTIMATE = 50.0


@dataclass
class BucketStatus:
    """The shop's bucket as of the last answer (``at`` on the client's monotonic clock)."""

    maximum: float
    available: float
    restore_rate: float
    at: float

    def projected(self, now: float) -> float:
        """Points available at ``now`` if nobody else spends any."""
        return min(self.maximum, self.available + max(now - self.at, 0.0) * self.restore_rate)

    def wait_for(self, cost: float, now: float) -> float:
        """Seconds until ``cost`` points are available (0 when they are, or can never be)."""
        if self.restore_rate <= 0 or cost > self.maximum:
            return 0.0
        return max(cost - self.projected(now), 0.0) / self.restore_rate


class ShopifyClient:
    """POST GraphQL documents to ``admin/api/<version>/graphql.json`` and return ``data``.

    Raises ConnectorError for auth failures, GraphQL errors (schema, cost over the single query
    maximum) and unexpected answers; RetryableError when throttled or unavailable for longer than
    ``max_wait``. ``served_version`` is the version Shopify answered with. The token comes from
    ``auth`` (or is the static ``access_token``); a 401 renews it once (``ShopifyAuth.refused``)
    and the call is sent again.
    """

    def __init__(
        self,
        *,
        http: ChannelHttp,
        api_version: str,
        access_token: str = "",
        auth: ShopifyAuth | None = None,
        max_wait: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        version_key(api_version)  # ValueError for a malformed version
        self.http = http
        self.auth = auth or ShopifyAuth(
            http=http, credentials={"access_token": access_token}, options={"auth": "access_token"}
        )
        self.api_version = api_version
        self.max_wait = max_wait
        self.served_version: str | None = None
        self.bucket: BucketStatus | None = None
        self.throttled = 0
        self._sleep = sleep
        self._clock = clock
        self._requested: dict[str, float] = {}

    @property
    def rules(self) -> VersionRules:
        """The rules of the version actually served (the configured one until the first answer)."""
        return VersionRules(self.served_version or self.api_version)

    def _pause(self, seconds: float, *, reason: str) -> None:
        if seconds > self.max_wait:
            raise RetryableError(f"Shopify: {reason}; retry in {seconds:.1f} s", retry_after=seconds)
        if seconds > 0:
            self._sleep(seconds)

    def _note(self, body: Mapping[str, Any], operation: str) -> Mapping[str, Any]:
        cost = (body.get("extensions") or {}).get("cost") or {}
        status = cost.get("throttleStatus") or {}
        with contextlib.suppress(KeyError, TypeError, ValueError):
            self.bucket = BucketStatus(
                maximum=float(status["maximumAvailable"]),
                available=float(status["currentlyAvailable"]),
                restore_rate=float(status["restoreRate"]),
                at=self._clock(),
            )
        if isinstance(cost.get("requestedQueryCost"), int | float):
            self._requested[operation] = float(cost["requestedQueryCost"])
        return cost

    def _served(self, value: str | None) -> None:
        if value and value != self.served_version:
            if value != self.api_version:
                logger.warning("Shopify serves API version %s instead of %s", value, self.api_version)
            self.served_version = value

    def execute(
        self, document: str, variables: Mapping[str, Any], *, operation: str, idempotent: bool = True
    ) -> dict[str, Any]:
        """Run one document; return its ``data``. See the class for the errors."""
        path = f"admin/api/{self.api_version}/graphql.json"
        renewed = False
        attempt = 0
        while attempt < MAX_ATTEMPTS:
            attempt += 1
            if self.bucket is not None:
                estimate = self._requested.get(operation, DEFAULT_ESTIMATE)
                self._pause(self.bucket.wait_for(estimate, self._clock()), reason="query cost bucket low")
            token = self.auth.token()
            headers = {"X-Shopify-Access-Token": token.access_token, "Accept": "application/json"}
            try:
                response = self.http.request(
                    "POST", path, json={"query": document, "variables": dict(variables)}, headers=headers
                )
            except RetryableError as exc:
                rate_limited = exc.status == 429
                if not (rate_limited or idempotent) or attempt == MAX_ATTEMPTS:
                    raise
                delay = exc.retry_after if exc.retry_after is not None else BACKOFF_BASE * 2 ** (attempt - 1)
                self._pause(delay, reason=str(exc))
                continue
            except ConnectorError as exc:
                # 401: the token expired early or was revoked. Renew it once and send again (the
                # request did not run); a second 401 is reported.
                if exc.status != 401 or renewed or not self.auth.refused(token):
                    raise
                renewed = True
                attempt -= 1
                continue
            self._served(response.headers.get("X-Shopify-API-Version"))
            try:
                body = response.json()
            except ValueError:
                raise ConnectorError(f"Shopify {operation}: the answer is not JSON") from None
            if not isinstance(body, dict):
                raise ConnectorError(f"Shopify {operation}: unexpected answer")
            cost = self._note(body, operation)
            errors = body.get("errors")
            if errors and _throttled(errors):
                self.throttled += 1
                wait = BACKOFF_BASE * 2 ** (attempt - 1)
                if self.bucket is not None and isinstance(cost.get("requestedQueryCost"), int | float):
                    # +1: Shopify floors currentlyAvailable.
                    wait = self.bucket.wait_for(float(cost["requestedQueryCost"]) + 1, self._clock())
                if attempt == MAX_ATTEMPTS:
                    raise RetryableError(f"Shopify {operation}: throttled", retry_after=max(wait, 0.1))
                self._pause(max(wait, 0.05), reason="throttled")
                continue
            if errors:
                raise ConnectorError(self.http.scrub(f"Shopify {operation}: {_messages(errors)}"))
            data = body.get("data")
            if not isinstance(data, dict):
                raise ConnectorError(f"Shopify {operation}: answer without data")
            return data
        raise RetryableError(f"Shopify {operation}: no answer after {MAX_ATTEMPTS} attempts")


def _throttled(errors: Any) -> bool:
    return isinstance(errors, list) and any(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors
    )


def _messages(errors: Any) -> str:
    if isinstance(errors, list):
        return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)[:500]
    return str(errors)[:500]
