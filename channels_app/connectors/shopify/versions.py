"""Admin API versions and the rules that change between them (Shopify's changelog).

* 2025-10: ``WebhookSubscriptionInput.uri`` replaces ``callbackUrl``
  (https://shopify.dev/changelog/consolidate-webhook-graphql-surfaces).
* 2026-01: ``changeFromQuantity`` on ``InventoryQuantityInput`` (compare-and-swap redesign) and the
  ``@idempotent(key:)`` directive on inventory mutations
  (https://shopify.dev/changelog/compare-and-swap-redesign-for-inventory-set-quantities,
  https://shopify.dev/changelog/adding-idempotency-for-inventory-adjustments-and-refund-mutations).
* 2026-04: ``changeFromQuantity`` mandatory, ``compareQuantity``/``ignoreCompareQuantity`` removed,
  ``@idempotent`` required (https://shopify.dev/changelog/making-idempotency-mandatory-for-inventory-
  adjustments-and-refund-mutations).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Stable versions are released quarterly; on 2026-11-27 the newest stable one is 2026-10.
DEFAULT_API_VERSION = "2026-10"
_HANDLE = re.compile(r"^(\d{4})-(01|04|07|10)$")


def version_key(handle: str) -> tuple[int, int]:
    """Sortable (year, month) of a version handle; ``unstable`` sorts after every dated version.

    Raises ValueError for anything else.
    """
    if handle == "unstable":
        return (9999, 12)
    match = _HANDLE.match(handle or "")
    if not match:
        raise ValueError(f"Not a Shopify API version: {handle!r} (expected YYYY-01/04/07/10)")
    return (int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class VersionRules:
    """What the connector sends for one API version."""

    handle: str

    @property
    def key(self) -> tuple[int, int]:
        """(year, month) of the version."""
        return version_key(self.handle)

    @property
    def change_from_quantity(self) -> bool:
        """Compare-and-swap through ``changeFromQuantity`` (else ``compareQuantity``)."""
        return self.key >= (2026, 1)

    @property
    def idempotent_directive(self) -> bool:
        """Inventory mutations carry ``@idempotent(key:)`` (required from 2026-04)."""
        return self.key >= (2026, 1)

    @property
    def webhook_uri(self) -> bool:
        """Webhook subscriptions take ``uri`` rather than ``callbackUrl``."""
        return self.key >= (2025, 10)
