"""SP-API usage plans: one token bucket per operation, refilled by the fake clock.

Rates and bursts are the defaults published in each operation's "Usage Plan" table of Amazon's
Swagger models (selling-partner-api-models: ordersV0.json, listingsItems_2021-08-01.json,
feeds_2021-06-30.json, reports_2021-06-30.json). The algorithm is the token bucket described in
"Usage Plans and Rate Limits in the SP-API": tokens are added at `rate` per second up to `burst`;
each request takes one; a request that finds the bucket empty is throttled with HTTP 429.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .clock import FakeClock


@dataclass(frozen=True)
class UsagePlan:
    """Rate (requests per second added to the bucket) and burst (bucket size) of one operation."""

    rate: float
    burst: int

    @property
    def header(self) -> str:
        """Value of the x-amzn-RateLimit-Limit header: the rate as a decimal ("5.0", "0.0167"), as
        Amazon sends it (a getListingsItem answer quoted in selling-partner-api-models#4283 has "5.0")."""
        return str(float(self.rate))


# operationId -> default usage plan, copied from the models' "Usage Plan" tables.
DEFAULT_USAGE_PLANS: dict[str, UsagePlan] = {
    # Orders API v0 (ordersV0.json)
    "getOrders": UsagePlan(0.0167, 20),
    "getOrder": UsagePlan(0.5, 30),
    "getOrderItems": UsagePlan(0.5, 30),
    "confirmShipment": UsagePlan(2, 10),
    # Listings Items API 2021-08-01 (listingsItems_2021-08-01.json)
    "getListingsItem": UsagePlan(5, 10),
    "searchListingsItems": UsagePlan(5, 5),
    "patchListingsItem": UsagePlan(5, 5),
    # Feeds API 2021-06-30 (feeds_2021-06-30.json)
    "createFeedDocument": UsagePlan(0.5, 15),
    "createFeed": UsagePlan(0.0083, 15),
    "getFeed": UsagePlan(2, 15),
    "cancelFeed": UsagePlan(2, 15),
    "getFeedDocument": UsagePlan(0.0222, 10),
    # Reports API 2021-06-30 (reports_2021-06-30.json)
    "createReport": UsagePlan(0.0167, 15),
    "getReport": UsagePlan(2, 15),
    "getReportDocument": UsagePlan(0.0167, 15),
}


class RateLimiter:
    """Token buckets per operation; buckets start full, as for a caller that has been idle."""

    def __init__(self, clock: FakeClock, plans: dict[str, UsagePlan] | None = None) -> None:
        self._clock = clock
        self.plans = dict(plans or DEFAULT_USAGE_PLANS)
        self._tokens: dict[str, float] = {}
        self._stamp: dict[str, float] = {}
        self._lock = threading.Lock()
        self.enabled = True

    def _refill(self, operation: str, plan: UsagePlan) -> float:
        now = self._clock.seconds()
        tokens = self._tokens.get(operation, float(plan.burst))
        last = self._stamp.get(operation, now)
        tokens = min(float(plan.burst), tokens + (now - last) * plan.rate)
        self._tokens[operation] = tokens
        self._stamp[operation] = now
        return tokens

    def take(self, operation: str) -> bool:
        """Take one token for `operation`; False means the request is throttled (429)."""
        plan = self.plans[operation]
        with self._lock:
            tokens = self._refill(operation, plan)
            if not self.enabled:
                return True
            # A tiny epsilon absorbs float error of rate * elapsed (e.g. 0.5 * 2.0 must give 1 token).
            if tokens + 1e-9 < 1.0:
                return False
            self._tokens[operation] = max(0.0, tokens - 1.0)
            return True

    def available(self, operation: str) -> float:
        """Tokens currently in the bucket of `operation` (for tests and benchmarks)."""
        with self._lock:
            return self._refill(operation, self.plans[operation])

    def drain(self, operation: str) -> None:
        """Empty the bucket of `operation` (as if a burst had just been spent)."""
        with self._lock:
            self._refill(operation, self.plans[operation])
            self._tokens[operation] = 0.0

    def reset(self) -> None:
        """Refill every bucket."""
        with self._lock:
            self._tokens.clear()
            self._stamp.clear()
