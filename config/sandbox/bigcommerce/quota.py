"""The store's API quota: one window shared by every API account of the store (BigCommerce,
"API rate limits": quota refreshed every 30 s; 150 requests on Standard/Plus, 450 on Pro).

Every answer carries ``X-Rate-Limit-Time-Window-Ms``, ``X-Rate-Limit-Time-Reset-Ms`` (ms until the
refresh), ``X-Rate-Limit-Requests-Quota`` and ``X-Rate-Limit-Requests-Left``; a request over the
quota gets 429 with the same headers and ``X-Retry-After`` (seconds). ``load_next`` injects 429s
without those headers ("the platform experiences high load").
"""

from __future__ import annotations

import math
import threading
import time


class StoreQuota:
    def __init__(self, *, quota: int = 150, window_ms: int = 30_000, clock=time.monotonic) -> None:
        self.quota = quota
        self.window_ms = window_ms
        self.clock = clock
        self.lock = threading.Lock()
        self.window_start = clock()
        self.used = 0
        self.rejected = 0
        self.load_429 = 0

    def _roll(self, now: float) -> None:
        if (now - self.window_start) * 1000 >= self.window_ms:
            elapsed_windows = int((now - self.window_start) * 1000 // self.window_ms)
            self.window_start += elapsed_windows * self.window_ms / 1000
            self.used = 0

    def consume(self, count: int = 1) -> None:
        """Other apps of the store spend ``count`` requests of the window."""
        with self.lock:
            self._roll(self.clock())
            self.used = min(self.quota, self.used + count)

    def load_next(self, count: int = 1) -> None:
        with self.lock:
            self.load_429 += count

    def take(self) -> tuple[bool, dict[str, str]]:
        """One request: (allowed, headers to send). ``headers`` empty for a platform-load 429."""
        with self.lock:
            if self.load_429:
                self.load_429 -= 1
                return False, {}
            now = self.clock()
            self._roll(now)
            allowed = self.used < self.quota
            if allowed:
                self.used += 1
            else:
                self.rejected += 1
            reset_ms = max(int(self.window_ms - (now - self.window_start) * 1000), 1)
            headers = {
                "X-Rate-Limit-Time-Window-Ms": str(self.window_ms),
                "X-Rate-Limit-Time-Reset-Ms": str(reset_ms),
                "X-Rate-Limit-Requests-Quota": str(self.quota),
                "X-Rate-Limit-Requests-Left": str(self.quota - self.used),
            }
            if not allowed:
                headers["X-Retry-After"] = str(math.ceil(reset_ms / 1000))
            return allowed, headers
