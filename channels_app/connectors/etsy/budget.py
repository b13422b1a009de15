"""The app key's daily call budget: what Etsy says is left, and which pushes may spend it.

Etsy allows an app key 10 requests a second and 10,000 a day (a sliding 24 h window of twelve
2 h buckets; the figures of the key come in ``x-limit-per-second`` / ``x-limit-per-day``), and
reports what is left on every answer (``x-remaining-this-second``, ``x-remaining-today``). Etsy
counts for every process that uses the key, so its figure is the truth: :class:`BudgetMemory`
keeps the latest one per keystring in Django's cache (shared by every process when the cache is
Redis), with the push backlog per account, for the account page.

Spending (:func:`allowed`): a push of one listing costs one PUT (two calls when the listing is
also deactivated or activated again). Each class of change may spend the day's calls down to its
own floor, ``reserve`` (calls kept for order polls, fulfilments and token refreshes) plus a share
of the day's limit:

=============  ======  ==========================================================
class          share   changes
=============  ======  ==========================================================
``zero``       0       an SKU the listing shows goes to 0 (the oversell is certain)
``last``       5 %     a drop to ``last_units`` or fewer
``decrease``   15 %    any other drop
``increase``   25 %    a rise (the engine already holds rises until orders are in)
=============  ======  ==========================================================

so once calls run short, drops to zero go first and rises wait; what waits is answered
"deferred" and comes back with the engine's next run.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.cache import cache

CLASSES = ("zero", "last", "decrease", "increase")
SHARES = {"zero": 0.0, "last": 0.05, "decrease": 0.15, "increase": 0.25}
DEFAULT_LIMIT_PER_DAY = 10_000
# A figure older than this is read again (the window frees a 2 h bucket at a time).
STALE_SECONDS = 600.0


def change_class(*, quantity: int, expected: int | None, last_units: int) -> str:
    """The class (see the module) of setting a figure believed to be ``expected`` to ``quantity``."""
    if quantity <= 0:
        return "zero" if expected != 0 else "decrease"
    if expected is None or quantity < expected:
        return "last" if quantity <= last_units else "decrease"
    return "increase"


def floor(*, klass: str, reserve: int, limit_per_day: int) -> int:
    """Calls of the day a change of ``klass`` must leave unspent."""
    return reserve + int(SHARES[klass] * limit_per_day)


def allowed(*, klass: str, cost: int, remaining: int, reserve: int, limit_per_day: int) -> bool:
    """True when ``cost`` calls of class ``klass`` may be spent with ``remaining`` left today."""
    return remaining - cost >= floor(klass=klass, reserve=reserve, limit_per_day=limit_per_day)


@dataclass(frozen=True)
class BudgetFigure:
    """What Etsy last said of the key's day: calls left, the day's limit, when (epoch seconds)."""

    remaining: int
    limit_per_day: int
    seen_at: float


class BudgetMemory:
    """The latest :class:`BudgetFigure` of a keystring and the push backlog of an account."""

    def __init__(self, *, keystring: str, account_id: int, clock=time.time) -> None:
        self.key = f"etsy-budget:{keystring}"
        self.account_key = f"etsy-budget-account:{account_id}"
        self.waiting_key = f"etsy-waiting:{account_id}"
        self.clock = clock

    def figure(self) -> BudgetFigure | None:
        """The last figure, None when unknown or older than :data:`STALE_SECONDS`."""
        value = cache.get(self.key)
        if not value:
            return None
        figure = BudgetFigure(*value)
        return figure if self.clock() - figure.seen_at <= STALE_SECONDS else None

    def record(self, headers: Mapping[str, str]) -> BudgetFigure | None:
        """Keep the figure of an answer's ``x-remaining-today`` / ``x-limit-per-day`` headers."""
        try:
            remaining = int(headers["x-remaining-today"])
        except (KeyError, TypeError, ValueError):
            return None
        try:
            limit = int(headers.get("x-limit-per-day") or DEFAULT_LIMIT_PER_DAY)
        except ValueError:
            limit = DEFAULT_LIMIT_PER_DAY
        figure = BudgetFigure(remaining=remaining, limit_per_day=limit, seen_at=self.clock())
        value = (figure.remaining, figure.limit_per_day, figure.seen_at)
        cache.set_many({self.key: value, self.account_key: value}, timeout=86400)
        return figure

    def exhausted(self, *, retry_after: float | None) -> None:
        """A 429 for the day: nothing is left until ``retry_after``."""
        current = self.figure()
        limit = current.limit_per_day if current else DEFAULT_LIMIT_PER_DAY
        value = (0, limit, self.clock())
        cache.set_many({self.key: value, self.account_key: value}, timeout=max(int(retry_after or 600), 60))

    def waiting_set(self, counts: Mapping[str, int]) -> None:
        """The account's pushes the last run had to defer, per class."""
        cache.set(self.waiting_key, {k: int(counts.get(k, 0)) for k in CLASSES}, timeout=86400)

    def waiting(self) -> dict[str, int]:
        """What :meth:`waiting_set` last kept (zeros when nothing waits)."""
        return dict(cache.get(self.waiting_key) or dict.fromkeys(CLASSES, 0))


def budget_status(*, account_id: int) -> dict[str, object]:
    """For the account page: calls left today (None: not known yet), the day's limit, when Etsy
    said so (epoch seconds), and the listings whose pushes wait for calls, per class."""
    value = cache.get(f"etsy-budget-account:{account_id}")
    waiting = cache.get(f"etsy-waiting:{account_id}") or dict.fromkeys(CLASSES, 0)
    return {
        "calls_left_today": value[0] if value else None,
        "limit_per_day": value[1] if value else DEFAULT_LIMIT_PER_DAY,
        "seen_at": value[2] if value else None,
        "waiting": {k: int(waiting.get(k, 0)) for k in CLASSES},
    }


def budget_text(*, account_id: int) -> str:
    """:func:`budget_status` in one line for staff."""
    status = budget_status(account_id=account_id)
    left = status["calls_left_today"]
    head = (
        "calls left today: not known yet"
        if left is None
        else f"calls left today: {left} of {status['limit_per_day']}"
    )
    waiting = status["waiting"]
    if not any(waiting.values()):
        return f"{head}; nothing waits"
    parts = ", ".join(f"{n} {k}" for k, n in waiting.items() if n)
    return f"{head}; listings waiting for calls: {parts} (drops to zero go first)"
