"""A controllable clock shared by every part of the fake (tokens, rate limits, orders, feeds)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class FakeClock:
    """Wall clock of the fake Amazon.

    Frozen (the default for tests): time moves only when `advance()` is called, so token expiry,
    token-bucket refills, Pending→Unshipped and feed processing are deterministic and no test sleeps.
    Running (`frozen=False`, used by the standalone server for benchmarks and the demo): time follows
    the real clock, and `advance()` still jumps it forward.
    """

    def __init__(self, start: datetime | None = None, *, frozen: bool = True) -> None:
        self._start = (start or datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)).astimezone(UTC)
        self._frozen = frozen
        self._offset = 0.0
        self._real_origin = time.monotonic()
        self._lock = threading.Lock()

    @property
    def frozen(self) -> bool:
        """True when time only moves through `advance()`."""
        return self._frozen

    def seconds(self) -> float:
        """Seconds elapsed since the clock's start (monotonic)."""
        with self._lock:
            real = 0.0 if self._frozen else time.monotonic() - self._real_origin
            return real + self._offset

    def now(self) -> datetime:
        """The current fake time, timezone-aware UTC."""
        return self._start + timedelta(seconds=self.seconds())

    def advance(self, seconds: float) -> None:
        """Move time forward by `seconds` (never backwards)."""
        if seconds < 0:
            raise ValueError("the fake clock never goes backwards")
        with self._lock:
            self._offset += seconds


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z suffix, as Amazon writes its timestamps ("2017-01-20T19:49:35Z")."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    """Parse an ISO 8601 date-time from a request; naive values are taken as UTC.

    Raises ValueError on anything that is not ISO 8601.
    """
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
