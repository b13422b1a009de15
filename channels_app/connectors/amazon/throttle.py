"""Per-operation usage plans of the SP-API and the throttle that keeps each call inside its own.

Amazon limits each operation separately (a token bucket per operation and seller/application:
``rate`` requests per second refilled up to ``burst``). The defaults below are the "Usage Plan"
tables in each operation's description in Amazon's models (ordersV0.json,
listingsItems_2021-08-01.json, feeds_2021-06-30.json, reports_2021-06-30.json,
selling-partner-api-models). The
``x-amzn-RateLimit-Limit`` answer header carries the rate Amazon applies now; a lower figure
replaces the default for that operation (never a higher one: the header omits the burst).

The connector declares these plans as its ``rate_limits``; the engine hands it a throttle that keeps
one bucket per (account, operation) in the engine's shared limiter (Redis or PostgreSQL), so every
worker process counts against the same buckets. :class:`UsagePlanThrottle` adds what is Amazon's
own: the rate announced by the answers, and the refill time of one token.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from channels_app.connectors.base import Throttle
from channels_app.connectors.dto import RateLimit


@dataclass(frozen=True)
class UsagePlan:
    """Default rate (requests per second) and burst of one SP-API operation."""

    rate: float
    burst: int


USAGE_PLANS: dict[str, UsagePlan] = {
    "getOrders": UsagePlan(0.0167, 20),
    "getOrder": UsagePlan(0.5, 30),
    "getOrderItems": UsagePlan(0.5, 30),
    "confirmShipment": UsagePlan(2.0, 10),
    "getListingsItem": UsagePlan(5.0, 10),
    "patchListingsItem": UsagePlan(5.0, 5),
    "searchListingsItems": UsagePlan(5.0, 5),
    "createFeedDocument": UsagePlan(0.5, 15),
    "createFeed": UsagePlan(0.0083, 15),
    "getFeed": UsagePlan(2.0, 15),
    "cancelFeed": UsagePlan(2.0, 15),
    "getFeedDocument": UsagePlan(0.0222, 10),
    "createReport": UsagePlan(0.0167, 15),
    "getReport": UsagePlan(2.0, 15),
    "getReportDocument": UsagePlan(0.0167, 15),
}

# Rates announced by x-amzn-RateLimit-Limit, per (account id, operation), for this process.
_observed: dict[tuple[int, str], float] = {}
_observed_lock = threading.Lock()


def rate_header_parse(value: str | None) -> float | None:
    """The rate of an x-amzn-RateLimit-Limit header ("5.0", "0.0167"); None if absent or bad."""
    if not value:
        return None
    try:
        rate = float(value.strip())
    except ValueError:
        return None
    return rate if rate > 0 else None


def usage_plan_rate_limits() -> dict[str, RateLimit]:
    """The usage plans as the engine's per-operation rate limits."""
    return {name: RateLimit(per_second=plan.rate, burst=plan.burst) for name, plan in USAGE_PLANS.items()}


class UsagePlanThrottle:
    """Keeps each SP-API call inside its operation's usage plan, through the engine's throttle.

    :meth:`acquire` takes one token of the operation's shared bucket at the rate in force (the
    plan's, or a lower one Amazon announced), waiting at most ``max_wait`` seconds; when the
    bucket needs longer the engine's throttle raises RetryableError with the time one token
    takes, so the engine retries later instead of a worker sleeping for a minute on getOrders.
    """

    def __init__(self, *, account_id: int, take: Throttle, max_wait: float = 30.0) -> None:
        self.account_id = account_id
        self.take = take
        self.max_wait = max_wait

    def rate(self, operation: str) -> float:
        """The rate in force for ``operation``: the default, or a lower one Amazon announced."""
        default = USAGE_PLANS[operation].rate
        with _observed_lock:
            seen = _observed.get((self.account_id, operation))
        return min(default, seen) if seen else default

    def observe(self, operation: str, header: str | None) -> None:
        """Remember the rate of an answer's x-amzn-RateLimit-Limit header."""
        rate = rate_header_parse(header)
        if rate is not None:
            with _observed_lock:
                _observed[(self.account_id, operation)] = rate

    def seconds_per_token(self, operation: str) -> float:
        """How long the bucket of ``operation`` takes to refill one token."""
        return 1.0 / self.rate(operation)

    def acquire(self, operation: str) -> None:
        """Take one token of ``operation``'s bucket (RetryableError past ``max_wait``)."""
        self.take(operation, per_second=self.rate(operation), max_wait=self.max_wait)
