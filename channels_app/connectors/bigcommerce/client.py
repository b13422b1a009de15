"""Raw HTTP to one BigCommerce store, paced on the store's quota headers.

Only HTTP here (no mapping, no engine state). Every request goes through the account's
:class:`~channels_app.connectors.http.ChannelHttp` (egress guard, timeouts, status checks) to
``stores/<store_hash>/v3/...`` or ``.../v2/...`` with ``X-Auth-Token``.

The quota (BigCommerce, "API rate limits"): one per store, shared by every app of the store,
refreshed every 30 s. Each answer says how many requests are left (``X-Rate-Limit-Requests-Left``)
and in how many ms the window refreshes (``X-Rate-Limit-Time-Reset-Ms``). :class:`QuotaPacer`
keeps the last reading per store for this process and, before each request, takes one token of
the engine's shared ``api`` bucket (every worker counts against it) at the rate the reading allows
(left requests spread over the time to the refresh); with nothing left it waits for the refresh
(at most ``max_wait`` seconds, else RetryableError with the time to wait). A 429 carries the same
headers: the client waits for the refresh and sends again once; a 429 without them is platform
load (BigCommerce: back off longer) and becomes RetryableError.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

from channels_app.connectors.base import Throttle
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.http import ChannelHttp

USER_AGENT = "Stockmaster/1.0 (+inventory sync)"
# The Standard and Plus plans' quota (150 requests / 30 s), used until the first answer's headers
# say what this store has; from then on the headers set the pace.
DEFAULT_RATE = 5.0
# A ceiling on the pace the headers may set (a safety against a bogus reading, not a guess of the
# quota): 6,000 requests a 30 s window, above any plan BigCommerce publishes.
PACE_CEILING = 200.0
RESERVE = 1  # requests left to other apps of the store before we wait for the refresh
PLATFORM_LOAD_BACKOFF = 30.0  # seconds after a 429 without quota headers


@dataclass
class QuotaReading:
    """The last quota headers seen for a store: requests left and when (monotonic) it refreshes."""

    left: int
    refresh_at: float
    quota: int | None = None


_readings: dict[str, QuotaReading] = {}
_readings_lock = threading.Lock()


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(float(value)) if value not in (None, "") else None
    except ValueError:
        return None


class QuotaPacer:
    """Paces one store's requests on its quota headers through the engine's throttle (see module)."""

    def __init__(
        self, *, store_key: str, take: Throttle, max_wait: float, clock=time.monotonic, sleep=time.sleep
    ):
        self.store_key = store_key
        self.take = take
        self.max_wait = max_wait
        self.clock = clock
        self.sleep = sleep

    def reading(self) -> QuotaReading | None:
        """The current reading (None when unknown or past its refresh)."""
        with _readings_lock:
            reading = _readings.get(self.store_key)
        if reading is None or reading.refresh_at <= self.clock():
            return None
        return reading

    def observe(self, headers: Mapping[str, str]) -> None:
        """Remember an answer's ``X-Rate-Limit-Requests-Left`` / ``-Time-Reset-Ms``."""
        left = _int_header(headers, "X-Rate-Limit-Requests-Left")
        reset_ms = _int_header(headers, "X-Rate-Limit-Time-Reset-Ms")
        if left is None or reset_ms is None:
            return
        reading = QuotaReading(
            left=left,
            refresh_at=self.clock() + reset_ms / 1000.0,
            quota=_int_header(headers, "X-Rate-Limit-Requests-Quota"),
        )
        with _readings_lock:
            _readings[self.store_key] = reading

    def before_request(self) -> None:
        """Wait for the quota as the last reading says, then take one token of the shared bucket."""
        reading = self.reading()
        if reading is None:
            self.take("api", per_second=DEFAULT_RATE, max_wait=self.max_wait)
            return
        remaining = reading.refresh_at - self.clock()
        if reading.left <= RESERVE:
            self.wait_refresh(remaining)
            self.take("api", per_second=DEFAULT_RATE, max_wait=self.max_wait)
            return
        rate = (reading.left - RESERVE) / max(remaining, 0.001)
        self.take("api", per_second=max(rate, 0.05), max_wait=self.max_wait)
        with _readings_lock:  # count our own request until the next answer says
            current = _readings.get(self.store_key)
            if current is reading:
                current.left -= 1

    @contextmanager
    def waiting_at_most(self, seconds: float) -> Iterator[None]:
        """Within the block, wait at most ``seconds`` for the quota (RetryableError after)."""
        saved = self.max_wait
        self.max_wait = min(saved, seconds)
        try:
            yield
        finally:
            self.max_wait = saved

    def wait_refresh(self, remaining: float) -> None:
        """Sleep until the window refreshes, or RetryableError when that is past ``max_wait``."""
        if remaining > self.max_wait:
            raise RetryableError("BigCommerce store quota used up", retry_after=remaining, status=429)
        if remaining > 0:
            self.sleep(remaining)


class BigCommerceClient:
    """HTTP to ``stores/<store_hash>/`` of the account's API host."""

    def __init__(self, *, http: ChannelHttp, store_hash: str, access_token: str, pacer: QuotaPacer):
        if not store_hash or "/" in store_hash:
            raise ConnectorError("BigCommerce store_hash is missing or malformed")
        self.http = http
        self.root = f"stores/{store_hash}/"
        self.access_token = access_token
        self.pacer = pacer
        self.calls = 0  # requests sent (benchmarks)

    def _headers(self) -> dict[str, str]:
        return {
            "X-Auth-Token": self.access_token,
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
        }

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One paced request to ``v3/...`` or ``v2/...``; a 429 with quota headers is sent again once
        after the refresh. Raises RetryableError / ConnectorError (``ChannelHttp``)."""
        for attempt in (1, 2):
            self.pacer.before_request()
            self.calls += 1
            try:
                response = self.http.request(method, self.root + path, headers=self._headers(), **kwargs)
            except RetryableError as exc:
                if exc.status != 429:
                    raise
                reset_ms = _int_header(exc.headers, "x-rate-limit-time-reset-ms")
                if reset_ms is None:  # no quota headers: the platform is under load
                    raise RetryableError(
                        f"{method} {path}: BigCommerce under load (429 without quota headers)",
                        retry_after=PLATFORM_LOAD_BACKOFF,
                        status=429,
                    ) from None
                self.pacer.observe(
                    {"X-Rate-Limit-Requests-Left": "0", "X-Rate-Limit-Time-Reset-Ms": str(reset_ms)}
                )
                if attempt == 2:
                    raise RetryableError(
                        f"{method} {path}: BigCommerce quota exceeded",
                        retry_after=reset_ms / 1000.0,
                        status=429,
                    ) from None
                continue
            self.pacer.observe(response.headers)
            return response
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """:meth:`request` and decode its JSON (None for 204 No Content)."""
        response = self.request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ConnectorError(f"{method} {path}: the answer is not JSON") from None
