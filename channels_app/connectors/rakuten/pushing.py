"""Quantity pushes through the generic import file, paced by the file window (``window.py``).

Per push call (the engine hands up to ``batch_max`` dirty listings):

* An update whose listing waits for a file (``ListingRef.push_submission`` = ``importid:qty``)
  checks that file's report (genericimportreport, once per file per call, every page):
  - processed (``Traité``, or cancelled/rejected whole): an update of the file's figure is "ok"
    if its line is OK, "error" with Rakuten's message if not; a SKU without a line, or an update
    to another figure, goes into the next file;
  - still processing: an update of the file's figure stays "pending"; one to another figure goes
    into the next file (Rakuten processes a seller's files in the order received).
* The other updates are sorted by urgency (drops to zero first, then the largest drops, then
  increases) and sent as one file of at most ``file_max`` items when :func:`file_slot_take`
  gives a slot (at once for a file carrying a zero when the hour has room; otherwise once the
  window since the last file has passed). What does not fit, or everything when there is no
  slot, is answered "deferred" with the wait: the engine hands it back then, merged with newer
  changes (a new zero makes its listing claimable again at once).
* Each file's items are answered "pending" with ``importid:qty``, checked again after
  ``report_seconds``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from django.utils import timezone

from channels_app.connectors.dto import PushResult, QuantityUpdate
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.rakuten.client import RakutenClient
from channels_app.connectors.rakuten.mapping import import_file, import_id, import_report
from channels_app.connectors.rakuten.window import (
    file_refused,
    file_report_record,
    file_sent,
    file_slot_take,
)

REPORT_MAX_PAGES = 100


def submission_token(*, file_id: str, quantity: int) -> str:
    """What the engine stores on a listing carried by file ``file_id``."""
    return f"{file_id}:{quantity}"


def submission_parse(token: str) -> tuple[str, int] | None:
    """(import id, quantity) of a :func:`submission_token`; None if empty or foreign."""
    file_id, _, quantity = token.rpartition(":")
    if not file_id or not quantity.lstrip("-").isdigit():
        return None
    return file_id, int(quantity)


def is_urgent(update: QuantityUpdate) -> bool:
    """A drop to zero (or a zero over an unknown figure)."""
    return update.quantity == 0 and (update.expected is None or update.expected > 0)


def urgency(update: QuantityUpdate) -> tuple[int, int, int]:
    """Sort key: zeros first, then the largest drops, then increases (smallest figure first)."""
    drop = (update.expected - update.quantity) if update.expected is not None else 0
    return (0 if is_urgent(update) else 1, -drop, update.quantity)


class QuantityPusher:
    """Pushes quantities of one account (rules in the module docstring)."""

    def __init__(
        self,
        *,
        client: RakutenClient,
        account_id: int,
        files_per_hour: int,
        window_seconds: float,
        file_max: int,
        report_seconds: float,
        now: Callable[[], datetime] = timezone.now,
    ) -> None:
        self.client = client
        self.account_id = account_id
        self.files_per_hour = files_per_hour
        self.window_seconds = window_seconds
        self.file_max = max(file_max, 1)
        self.report_seconds = report_seconds
        self.now = now  # the window's clock (tests align it with a fake's)

    def push(self, *, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        results: dict[str, PushResult] = {}
        fresh: list[QuantityUpdate] = []
        by_file: dict[str, list[tuple[QuantityUpdate, int]]] = {}
        for update in updates:
            sku = update.listing.external_id
            if update.quantity < 0:
                results[sku] = PushResult(sku, "error", error="negative quantity")
                continue
            parsed = submission_parse(update.listing.push_submission)
            if parsed is None:
                fresh.append(update)
            else:
                by_file.setdefault(parsed[0], []).append((update, parsed[1]))
        for file_id, items in by_file.items():
            fresh.extend(self._file_check(file_id=file_id, items=items, results=results))
        if fresh:
            self._send(sorted(fresh, key=urgency), results)
        return list(results.values())

    def _pending(self, update: QuantityUpdate, file_id: str, quantity: int) -> PushResult:
        return PushResult(
            update.listing.external_id,
            "pending",
            submission_id=submission_token(file_id=file_id, quantity=quantity),
            retry_after=self.report_seconds,
        )

    def _file_check(
        self, *, file_id: str, items: list[tuple[QuantityUpdate, int]], results: dict[str, PushResult]
    ) -> list[QuantityUpdate]:
        """Outcomes of the updates waiting for ``file_id``; returns those to send afresh."""
        again = [update for update, quantity in items if update.quantity != quantity]
        same = [(update, quantity) for update, quantity in items if update.quantity == quantity]
        if not same:
            return again
        try:
            done, status, lines = self._report(file_id)
        except ConnectorError as exc:
            wait = exc.retry_after if isinstance(exc, RetryableError) else None
            for update, _quantity in same:
                sku = update.listing.external_id
                results[sku] = PushResult(
                    sku,
                    "retry",
                    error=f"report of file {file_id}: {exc}",
                    retry_after=wait or self.report_seconds,
                )
            return again
        file_report_record(account_id=self.account_id, import_id=file_id, report_status=status, done=done)
        for update, quantity in same:
            sku = update.listing.external_id
            if not done:
                results[sku] = self._pending(update, file_id, quantity)
            elif sku not in lines:
                again.append(update)  # no line for it in the report: resend
            elif lines[sku][0]:
                results[sku] = PushResult(sku, "ok", observed=update.quantity)
            else:
                results[sku] = PushResult(sku, "error", error=f"Rakuten file {file_id}: {lines[sku][1]}")
        return again

    def _report(self, file_id: str) -> tuple[bool, str, dict[str, tuple[bool, str]]]:
        """(processed, file status, per-SKU lines) of one file, every page read."""
        lines: dict[str, tuple[bool, str]] = {}
        token = ""
        status, done = "", False
        for _ in range(REPORT_MAX_PAGES):
            params = {"fileid": file_id}
            if token:
                params["nexttoken"] = token
            report = import_report(self.client.call("genericimportreport", params))
            status, done = status or report.status, done or report.done
            lines.update(report.lines)
            token = report.next_token
            if not token or not report.done:
                break
        return done, status, lines

    def _send(self, ranked: list[QuantityUpdate], results: dict[str, PushResult]) -> None:
        chosen, later = ranked[: self.file_max], ranked[self.file_max :]
        slot = file_slot_take(
            account_id=self.account_id,
            urgent=any(is_urgent(u) for u in chosen),
            items=len(chosen),
            files_per_hour=self.files_per_hour,
            window_seconds=self.window_seconds,
            now=self.now(),
        )
        if slot.file is None:
            for update in ranked:
                sku = update.listing.external_id
                results[sku] = PushResult(sku, "deferred", retry_after=slot.wait)
            return
        for update in later:
            sku = update.listing.external_id
            results[sku] = PushResult(sku, "deferred", retry_after=self.window_seconds)
        stamp = self.now().strftime("%Y%m%dT%H%M%S")
        content = import_file([(u.listing.external_id, u.quantity) for u in chosen])
        try:
            answer = self.client.call(
                "genericimportfile", file=(f"stock-{stamp}-{slot.file.pk}.xml", content)
            )
            file_id = import_id(answer)
            if not file_id:
                raise ConnectorError("Rakuten genericimportfile: the answer has no importid")
        except RetryableError as exc:
            file_refused(file=slot.file, error=str(exc))
            for update in chosen:
                sku = update.listing.external_id
                results[sku] = PushResult(
                    sku,
                    "retry",
                    error=str(exc),
                    retry_after=exc.retry_after,
                    throttled=exc.retry_after is not None,
                )
            return
        except ConnectorError as exc:
            file_refused(file=slot.file, error=str(exc))
            raise
        file_sent(file=slot.file, import_id=file_id)
        for update in chosen:
            results[update.listing.external_id] = self._pending(update, file_id, update.quantity)
