"""Etsy's rate limits per app key: queries per second and per day (a sliding 24 h window made of
twelve 2 h buckets: the oldest bucket's calls come back when it leaves the window).

Every answer of ``/v3/application/`` carries ``x-limit-per-second``, ``x-remaining-this-second``,
``x-limit-per-day``, ``x-remaining-today``; a call over either limit is answered 429
``{"error": "Rate limit exceeded"}`` with ``retry-after`` (seconds) and the same headers.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict

BUCKET_SECONDS = 7200
BUCKETS = 12


class Limits:
    """Counters per keystring on the fake's clock (epoch seconds)."""

    def __init__(self, *, clock, per_second: int = 10, per_day: int = 10_000) -> None:
        self.clock = clock
        self.per_second = per_second
        self.per_day = per_day
        self._seconds: dict[str, tuple[int, int]] = {}
        self._buckets: dict[str, dict[int, int]] = defaultdict(dict)
        self._lock = threading.Lock()
        self.refused = {"second": 0, "day": 0}

    def _window(self, key: str, now: float) -> int:
        current = int(now // BUCKET_SECONDS)
        buckets = self._buckets[key]
        for old in [b for b in buckets if b <= current - BUCKETS]:
            del buckets[old]
        return sum(buckets.values())

    def take(self, key: str) -> tuple[bool, dict[str, str]]:
        """Count one call of ``key``; (allowed, headers)."""
        with self._lock:
            now = self.clock()
            second = int(now)
            stamp, used = self._seconds.get(key, (second, 0))
            if stamp != second:
                used = 0
            day_used = self._window(key, now)
            if used >= self.per_second:
                self.refused["second"] += 1
                return False, self._headers(used, day_used, retry=1)
            if day_used >= self.per_day:
                self.refused["day"] += 1
                oldest = min(self._buckets[key])
                retry = math.ceil((oldest + BUCKETS) * BUCKET_SECONDS - now)
                return False, self._headers(used, day_used, retry=max(retry, 1))
            self._seconds[key] = (second, used + 1)
            bucket = int(now // BUCKET_SECONDS)
            self._buckets[key][bucket] = self._buckets[key].get(bucket, 0) + 1
            return True, self._headers(used + 1, day_used + 1)

    def used_today(self, key: str) -> int:
        """Calls of ``key`` in the current 24 h window."""
        with self._lock:
            return self._window(key, self.clock())

    def _headers(self, used: int, day_used: int, retry: int | None = None) -> dict[str, str]:
        headers = {
            "x-limit-per-second": str(self.per_second),
            "x-remaining-this-second": str(max(self.per_second - used, 0)),
            "x-limit-per-day": str(self.per_day),
            "x-remaining-today": str(max(self.per_day - day_used, 0)),
        }
        if retry is not None:
            headers["retry-after"] = str(retry)
        return headers
