"""Shopify API version handling: which versions exist, which are supported, and version-gated features.

Facts (see README.md for the sources):
- stable versions are released quarterly (YYYY-01, -04, -07, -10) and each is supported for at least
  12 months;
- a request for a version that is no longer supported is served by the oldest supported stable version
  ("falls forward"); the response header ``X-Shopify-API-Version`` names the version actually used;
- the next quarter's version is available as a release candidate, and ``unstable`` always exists.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_HANDLE = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_MONTHS = (1, 4, 7, 10)
UNSTABLE = "unstable"

# Version-gated behaviour (first version that has it).
ORDER_CANCEL_REFUND_METHOD = (2025, 7)  # orderCancel(refundMethod:) replaces the deprecated refund:
WEBHOOK_URI = (2025, 10)  # WebhookSubscriptionInput.uri / WebhookSubscription.uri
CHANGE_FROM_QUANTITY = (2026, 1)  # InventoryQuantityInput.changeFromQuantity (optional)
IDEMPOTENT_DIRECTIVE = (2026, 1)  # @idempotent(key:) on inventory mutations (optional)
CHANGE_FROM_REQUIRED = (2026, 4)  # every quantity must carry changeFromQuantity (null opts out)
COMPARE_QUANTITY_REMOVED = (2026, 4)  # compareQuantity / ignoreCompareQuantity removed
IDEMPOTENCY_REQUIRED = (2026, 4)  # @idempotent is mandatory on the inventory mutations


def version_key(handle: str) -> tuple[int, int]:
    """Sortable key of a handle; ``unstable`` sorts after every dated version."""
    if handle == UNSTABLE:
        return (9999, 12)
    match = _HANDLE.match(handle)
    if not match:
        raise ValueError(f"not an API version handle: {handle!r}")
    return (int(match.group(1)), int(match.group(2)))


def _quarter_after(key: tuple[int, int]) -> tuple[int, int]:
    year, month = key
    return (year + 1, 1) if month == 10 else (year, month + 3)


def _handle(key: tuple[int, int]) -> str:
    return f"{key[0]:04d}-{key[1]:02d}"


def stable_versions_on(day: dt.date) -> list[str]:
    """Stable versions released on or before ``day`` and still inside their 12 months of support."""
    latest = (day.year, max(m for m in QUARTER_MONTHS if m <= day.month))
    out: list[str] = []
    key = (latest[0] - 2, latest[1])
    while key <= latest:
        end = dt.date(key[0] + 1, key[1], 1)
        if end > day:
            out.append(_handle(key))
        key = _quarter_after(key)
    return out


@dataclass(frozen=True)
class Features:
    """What the served version supports."""

    handle: str

    def has(self, since: tuple[int, int]) -> bool:
        return version_key(self.handle) >= since

    @property
    def webhook_uri(self) -> bool:
        return self.has(WEBHOOK_URI)

    @property
    def change_from_quantity(self) -> bool:
        return self.has(CHANGE_FROM_QUANTITY)

    @property
    def change_from_required(self) -> bool:
        return self.has(CHANGE_FROM_REQUIRED)

    @property
    def idempotent_directive(self) -> bool:
        return self.has(IDEMPOTENT_DIRECTIVE)

    @property
    def idempotency_required(self) -> bool:
        return self.has(IDEMPOTENCY_REQUIRED)


class ApiVersions:
    """The versions the fake serves: ``supported`` stable ones, one release candidate, ``unstable``."""

    def __init__(self, *, supported: list[str] | None = None, today: dt.date | None = None) -> None:
        day = today or dt.datetime.now(dt.UTC).date()
        self.supported = sorted(supported or stable_versions_on(day), key=version_key)
        if not self.supported:
            raise ValueError("at least one supported version is needed")
        self.release_candidate = _handle(_quarter_after(version_key(self.supported[-1])))

    @property
    def latest(self) -> str:
        return self.supported[-1]

    @property
    def oldest(self) -> str:
        return self.supported[0]

    def resolve(self, requested: str) -> str | None:
        """The version that serves ``requested``, or None when no such version exists (404)."""
        if requested == UNSTABLE or requested in self.supported or requested == self.release_candidate:
            return requested
        match = _HANDLE.match(requested)
        if not match or int(match.group(2)) not in QUARTER_MONTHS:
            return None
        if version_key(requested) < version_key(self.oldest):
            return self.oldest  # unsupported old version: falls forward to the oldest supported
        return None  # a quarter that does not exist yet

    def features(self, served: str) -> Features:
        return Features(served)
