"""The stock-file window: at most ``files_per_hour`` genericimportfile uploads per account in
any rolling hour, one file per window, a drop to zero ahead of the window when the hour has a
free slot.

The ledger is :class:`~channels_app.models.RakutenImportFile` (one row per upload, written
before the upload under a lock on the account's ``rakuten-files`` cursor row, so every worker
counts the same files and an upload whose answer was lost still counts). :func:`file_slot_take`
is the only way to get a slot:

* the hour is full (``files_per_hour`` rows sent within the last 3600 s): no slot; the wait is
  until the oldest of them leaves the hour;
* an urgent file (it carries a drop to zero): a slot at once;
* otherwise a slot only when ``window_seconds`` have passed since the last file (changes made
  meanwhile accumulate into the next file); the wait is the rest of the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from channels_app.models import RakutenImportFile, SyncCursor
from channels_app.models.rakuten import RakutenImportFileStatus

HOUR = timedelta(hours=1)
LOCK_STREAM = "rakuten-files"


@dataclass(frozen=True)
class Slot:
    """A taken slot (``file`` is the ledger row) or, with ``file`` None, the seconds to wait."""

    file: RakutenImportFile | None
    wait: float = 0.0


def file_slot_take(
    *,
    account_id: int,
    urgent: bool,
    items: int,
    files_per_hour: int,
    window_seconds: float,
    now: datetime | None = None,
) -> Slot:
    """Take a slot for one file of ``items`` listings, or say how long to wait (module docstring)."""
    now = now or timezone.now()
    SyncCursor.objects.get_or_create(account_id=account_id, stream=LOCK_STREAM)
    with transaction.atomic():
        # One taker at a time per account (a row of its own: no lock order with the engine's).
        SyncCursor.objects.select_for_update().get(account_id=account_id, stream=LOCK_STREAM)
        recent = list(
            RakutenImportFile.objects.filter(account_id=account_id, sent_at__gt=now - HOUR)
            .order_by("sent_at")
            .values_list("sent_at", flat=True)
        )
        if len(recent) >= files_per_hour:
            frees_at = recent[len(recent) - files_per_hour] + HOUR
            return Slot(None, wait=max((frees_at - now).total_seconds(), 1.0))
        if not urgent and recent:
            since_last = (now - recent[-1]).total_seconds()
            if since_last < window_seconds:
                return Slot(None, wait=max(window_seconds - since_last, 0.5))
        row = RakutenImportFile.objects.create(account_id=account_id, sent_at=now, urgent=urgent, items=items)
    return Slot(row)


def file_sent(*, file: RakutenImportFile, import_id: str) -> None:
    """Record the import id Rakuten gave the uploaded file."""
    RakutenImportFile.objects.filter(pk=file.pk).update(
        status=RakutenImportFileStatus.SENT, import_id=import_id
    )


def file_refused(*, file: RakutenImportFile, error: str) -> None:
    """Record an upload that failed; it still counts in the hour (Rakuten may have counted it)."""
    RakutenImportFile.objects.filter(pk=file.pk).update(
        status=RakutenImportFileStatus.REFUSED, error=error[:2000]
    )


def file_report_record(*, account_id: int, import_id: str, report_status: str, done: bool) -> None:
    """Record the latest report state of the file ``import_id``."""
    fields: dict[str, object] = {"report_status": report_status[:64]}
    if done:
        fields["status"] = RakutenImportFileStatus.DONE
    RakutenImportFile.objects.filter(account_id=account_id, import_id=import_id).update(**fields)


def files_sent_within(*, account_id: int, start: datetime, end: datetime) -> int:
    """How many files of the account were sent in [start, end)."""
    return RakutenImportFile.objects.filter(
        account_id=account_id, sent_at__gte=start, sent_at__lt=end
    ).count()
