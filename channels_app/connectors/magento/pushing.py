"""Source-item writes: synchronous batches (20 items a request when the store enables input
limiting, adapting to the ``max`` of Magento's refusal otherwise) or one asynchronous bulk request.

Bulk (``/async/bulk/V1/inventory/source-items``): the body is an array of request bodies, each one
queued operation of at most ``input_limit`` items; Magento answers 202 with a ``bulk_uuid`` and
processes it later. The items are answered "pending" with the token ``<bulk_uuid>:<quantity>``; on
the next push the engine hands the token back and the writer reads ``GET /V1/bulk/{uuid}/status``:
complete and the same quantity -> ok; still open -> pending; failed (retriable) or a new quantity ->
written again; failed for good -> error with Magento's message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from channels_app.connectors.dto import PushResult, QuantityUpdate
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.magento.client import MagentoClient
from channels_app.connectors.magento.inventory import (
    BULK_COMPLETE,
    BULK_OPEN,
    BULK_RETRIABLE,
    Msi,
    SourceItem,
    chunks,
    input_limit_of,
)

BULK_POLL_SECONDS = 15.0
# Quantities per engine batch in synchronous mode (split per request): Magento's open orders are
# read once per batch, so a large batch keeps that read rare.
SYNC_BATCH_MAX = 500


class SourceItemWriter:
    """Writes one engine batch of quantities as MSI source items."""

    def __init__(self, *, client: MagentoClient, msi: Msi, options: Mapping[str, object]):
        self.client = client
        self.msi = msi
        self.bulk = bool(options.get("bulk", False))
        self.input_limit = max(int(options.get("input_limit") or 20), 1)
        limited = bool(options.get("input_limiting", False))
        self.request_size = self.input_limit if limited else max(int(options.get("sync_batch") or 100), 1)
        self.batch_max = max(int(options.get("bulk_batch") or 10000), 1) if self.bulk else SYNC_BATCH_MAX

    def push(self, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        results: list[PushResult] = []
        reserved = self.msi.reserved()
        if self.bulk:
            settled, updates = self._bulk_settle(updates, reserved=reserved)
            results += settled
        if not updates:
            return results
        items, refused = self.msi.source_items(updates, reserved=reserved)
        results += refused
        results += self._bulk_send(items) if self.bulk else self._sync_send(items)
        return results

    # --- synchronous ------------------------------------------------------------------------------
    def _sync_send(self, items: list[SourceItem]) -> list[PushResult]:
        results: list[PushResult] = []
        size = self.request_size
        left = list(items)
        while left:
            batch, left_after = left[:size], left[size:]
            try:
                self.client.call(
                    "POST", "inventory/source-items", body={"sourceItems": [i.as_json() for i in batch]}
                )
            except RetryableError as exc:
                results += [
                    PushResult(i.sku, "retry", error=str(exc), retry_after=exc.retry_after) for i in left
                ]
                return results
            except ConnectorError as exc:
                limit = input_limit_of(exc)
                if limit is not None and limit < len(batch):
                    size = limit  # the store limits input: same items, smaller requests
                    continue
                results += [PushResult(i.sku, "error", error=str(exc)) for i in batch]
                left = left_after
                continue
            results += [PushResult(i.sku, "ok", observed=None) for i in batch]
            left = left_after
        return results

    # --- asynchronous bulk ------------------------------------------------------------------------
    def _bulk_send(self, items: list[SourceItem]) -> list[PushResult]:
        if not items:
            return []
        bodies = [{"sourceItems": [i.as_json() for i in part]} for part in chunks(items, self.input_limit)]
        try:
            data = self.client.call("POST", "inventory/source-items", body=bodies, prefix="async/bulk/")
        except RetryableError as exc:
            return [PushResult(i.sku, "retry", error=str(exc), retry_after=exc.retry_after) for i in items]
        uuid = str((data or {}).get("bulk_uuid") or "") if isinstance(data, dict) else ""
        if not uuid:
            raise ConnectorError("Magento's bulk answer has no bulk_uuid")
        return [self._pending(i.sku, f"{uuid}:{i.quantity}") for i in items]

    @staticmethod
    def _pending(sku: str, token: str) -> PushResult:
        return PushResult(sku, "pending", submission_id=token, retry_after=BULK_POLL_SECONDS)

    def _bulk_settle(
        self, updates: Sequence[QuantityUpdate], *, reserved: Mapping[str, int]
    ) -> tuple[list[PushResult], list[QuantityUpdate]]:
        """Results of updates whose earlier bulk settles them, and the updates to write again."""
        statuses: dict[str, dict[str, Any]] = {}
        results: list[PushResult] = []
        again: list[QuantityUpdate] = []
        for update in updates:
            token = update.listing.push_submission
            uuid, _, written = token.partition(":")
            if not uuid:
                again.append(update)
                continue
            if uuid not in statuses:
                statuses[uuid] = self.client.call("GET", f"bulk/{uuid}/status")
            operations = statuses[uuid].get("operations_list") or []
            codes = {int(op.get("status") or 0) for op in operations}
            sku = update.listing.external_id
            reserved_now = reserved.get(sku, 0)
            if codes and codes <= {BULK_COMPLETE}:
                if written == str(update.quantity + reserved_now):
                    results.append(PushResult(sku, "ok"))
                else:
                    again.append(update)
            elif BULK_OPEN in codes:
                results.append(self._pending(sku, token))
            elif codes <= {BULK_COMPLETE, BULK_RETRIABLE}:
                again.append(update)
            else:
                failed = next((op for op in operations if int(op.get("status") or 0) not in (1, 4)), {})
                results.append(
                    PushResult(sku, "error", error=f"Magento bulk {uuid}: {failed.get('result_message')}")
                )
        return results, again
