"""eBay's cap of 250 revisions per listing per calendar day, and how we spend it.

"Each listing can be revised up to 250 times in one calendar day" (Inventory API, on
bulkUpdatePriceQuantity), whatever tool revises it. eBay does not name the calendar's time zone,
so a revision is counted on two days at once, the America/Los_Angeles date and the UTC date, and
sent only while both are under the cap: it never exceeds 250 under either reading.

The counts live in a :class:`RevisionBook` shared by every worker (the engine's is
``channels_app.services.revisions.AccountRevisionBook``, a database row per listing and day). A
revision is reserved *before* it is sent and given back only when eBay refused it for another
reason than the cap, so a worker dying mid-call can only over-count.

Spending (:func:`spend_rule`): the last ``reserve`` revisions of a listing's day go only to the
moves that prevent oversells - a drop to zero, or a decrease to the last units: at most
``last_units``, or fewer units than the revisions left, so that every remaining sale down to zero
can still be followed one push at a time. Other moves (increases, decreases of a large figure)
wait for the next day, with the reason shown on the listing.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

CAP = 250
PACIFIC = ZoneInfo("America/Los_Angeles")

Verdict = Literal["granted", "reserved", "capped"]


def day_keys(*, now: float) -> tuple[str, str]:
    """The two calendar days a revision at ``now`` counts on."""
    return (
        "PT" + datetime.fromtimestamp(now, PACIFIC).date().isoformat(),
        "UTC" + datetime.fromtimestamp(now, UTC).date().isoformat(),
    )


def seconds_to_next_day(*, now: float) -> float:
    """Seconds until both days of ``now`` have turned (the later midnight of the two)."""
    ends = []
    for zone in (PACIFIC, UTC):
        local = datetime.fromtimestamp(now, zone)
        ends.append(
            (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
        )
    return max(max(ends) - now, 1.0)


def move_protects(*, quantity: int, expected: int | None, last_units: int, left: int) -> bool:
    """The move prevents an oversell: a drop to zero, or a decrease to the last units - at most
    ``last_units``, or fewer units than the ``left`` revisions of the day can still follow one
    sale at a time down to zero."""
    if quantity <= 0:
        return True
    return (expected is None or quantity < expected) and (quantity <= last_units or quantity < left)


def spend_rule(
    *, quantity: int, expected: int | None, last_units: int, reserve: int
) -> Callable[[int], Verdict]:
    """Whether one more revision may be spent on this move after ``used`` today."""

    def rule(used: int) -> Verdict:
        if used >= CAP:
            return "capped"
        if used < CAP - reserve:
            return "granted"
        protects = move_protects(quantity=quantity, expected=expected, last_units=last_units, left=CAP - used)
        return "granted" if protects else "reserved"

    return rule


class RevisionBook(Protocol):
    """Per-listing revision counts, per calendar day key, shared by every worker."""

    def reserve(self, *, listing_id: str, days: Sequence[str], rule: Callable[[int], Verdict]) -> Verdict:
        """Count one revision of ``listing_id`` on every day of ``days`` when ``rule`` (given the
        highest count of those days) says "granted"; otherwise count nothing and return its
        verdict ("reserved": only oversell-preventing moves may still go; "capped")."""

    def release(self, *, listing_id: str, days: Sequence[str]) -> None:
        """Give back one reserved revision (eBay refused the move for another reason)."""

    def used(self, *, listing_id: str, days: Sequence[str]) -> int:
        """The highest count of ``listing_id`` over ``days``."""

    def close(self, *, listing_id: str, days: Sequence[str]) -> None:
        """eBay said the cap is reached: count the listing as full on these days."""


class MemoryRevisionBook:
    """A :class:`RevisionBook` in this process (a connector without the engine, unit tests)."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = defaultdict(int)
        self._lock = threading.Lock()

    def reserve(self, *, listing_id: str, days: Sequence[str], rule: Callable[[int], Verdict]) -> Verdict:
        with self._lock:
            answer = rule(max(self.counts[(listing_id, d)] for d in days))
            if answer == "granted":
                for day in days:
                    self.counts[(listing_id, day)] += 1
            return answer

    def release(self, *, listing_id: str, days: Sequence[str]) -> None:
        with self._lock:
            for day in days:
                self.counts[(listing_id, day)] = max(self.counts[(listing_id, day)] - 1, 0)

    def used(self, *, listing_id: str, days: Sequence[str]) -> int:
        with self._lock:
            return max(self.counts[(listing_id, d)] for d in days)

    def close(self, *, listing_id: str, days: Sequence[str]) -> None:
        with self._lock:
            for day in days:
                self.counts[(listing_id, day)] = max(self.counts[(listing_id, day)], CAP)
