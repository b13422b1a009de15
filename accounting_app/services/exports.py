"""Export runs: plan a period for a connection and post every planned document exactly once.

Only one run per connection at a time: the run holds the connection's export lease (a row lease
taken by one conditional UPDATE, so it works on PostgreSQL and the embedded SQLite alike, and is
never held open across HTTP in a transaction); a second run finds it taken and raises
:class:`ExportBusy`. The lease is renewed before every document; a worker that dies lets it run
out after ``EXPORT_LEASE``. A transient vendor failure stops the run (later documents would hit the
same throttle) and is re-raised for the task to retry with backoff; validation refusals are
recorded per document and the run goes on.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, timedelta

from django.utils import timezone

from accounting_app.exporters.errors import AuthorizationError, RetryableError
from accounting_app.models import (
    AccountingConnection,
    ConnectionStatus,
    DocumentStatus,
    ExportDocument,
    ExportRun,
    TotalCheck,
)
from accounting_app.selectors.mapping import MappingMissing, connection_mapping_gaps
from accounting_app.selectors.plan import connection_period_plan
from accounting_app.services.connections import connection_exporter
from accounting_app.services.posting import document_post, document_total_check
from inventory_app.services.leases import row_lease_release, row_lease_renew, row_lease_take

MAX_DAYS_PER_RUN = 31
# Posted documents whose read-back failed, checked again at the end of each run (at most this many).
RECHECK_BATCH = 100
# Longer than one document can take (a few calls, each with bounded timeouts and Retry-After waits).
EXPORT_LEASE = timedelta(minutes=10)


class ExportBusy(Exception):
    """Another export of the same connection is running."""


class ExportRefused(Exception):
    """The connection cannot export (not connected, disabled, unmapped accounts, bad period)."""


class _ExportLease:
    """The connection's export lease, held by this run."""

    def __init__(self, connection_id: int):
        self.rows = AccountingConnection.objects.filter(pk=connection_id)
        self.fields = {"until_field": "export_leased_until", "holder_field": "export_leased_by"}
        self.holder = f"export-{uuid.uuid4().hex}"
        self.connection_id = connection_id

    def renew(self) -> None:
        """Extend the lease; ExportBusy if it ran out and another run took it over."""
        if not row_lease_renew(rows=self.rows, holder=self.holder, lease=EXPORT_LEASE, **self.fields):
            raise ExportBusy(f"The export lease of connection {self.connection_id} was taken over")


@contextmanager
def _connection_lock(connection_id: int):
    lease = _ExportLease(connection_id)
    if not row_lease_take(rows=lease.rows, holder=lease.holder, lease=EXPORT_LEASE, **lease.fields):
        raise ExportBusy(f"An export of connection {connection_id} is running")
    try:
        yield lease
    finally:
        row_lease_release(rows=lease.rows, holder=lease.holder, **lease.fields)


def _unchecked_totals_check(*, connection: AccountingConnection, exporter, lease: _ExportLease) -> None:
    """Read back the posted documents of the connection whose total is not checked yet."""
    unchecked = ExportDocument.objects.filter(
        connection=connection, status=DocumentStatus.POSTED, total_check=TotalCheck.PENDING
    ).exclude(external_id="")
    for document in unchecked.exclude(expected_total=None).order_by("pk")[:RECHECK_BATCH]:
        lease.renew()
        document_total_check(connection=connection, exporter=exporter, document=document)


def period_export(
    *,
    connection_id: int,
    date_from: date,
    date_to: date,
    trigger: str = "manual",
    only_keys: frozenset[str] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ExportRun:
    """Post everything planned for [date_from, date_to] that is not posted yet.

    Raises ExportRefused (nothing sent), ExportBusy, RetryableError (after recording the run).
    ``on_progress`` is told (documents handled, documents planned) after each document.
    """
    if date_to < date_from or (date_to - date_from).days >= MAX_DAYS_PER_RUN:
        raise ExportRefused(f"Export at most {MAX_DAYS_PER_RUN} days at once, date_from <= date_to")
    connection = AccountingConnection.objects.get(pk=connection_id)
    if connection.status != ConnectionStatus.CONNECTED:
        raise ExportRefused(f"Connection {connection.name} is not connected ({connection.status})")
    if gaps := connection_mapping_gaps(connection=connection):
        AccountingConnection.objects.filter(pk=connection_id).update(last_error=" ".join(gaps))
        raise ExportRefused(" ".join(gaps))
    exporter = connection_exporter(connection=connection)
    with _connection_lock(connection_id) as lease:
        try:
            planned = connection_period_plan(
                connection=connection,
                date_from=date_from,
                date_to=date_to,
                exporter_sales_kinds=exporter.sales_kinds,
            )
        except (MappingMissing, ValueError) as exc:
            AccountingConnection.objects.filter(pk=connection_id).update(last_error=str(exc))
            raise ExportRefused(str(exc)) from exc
        if only_keys is not None:
            planned = [p for p in planned if p.source_key in only_keys]
        run = ExportRun.objects.create(
            connection=connection, date_from=date_from, date_to=date_to, trigger=trigger
        )
        try:
            for handled, item in enumerate(planned):
                if on_progress is not None:
                    on_progress(handled, len(planned))
                lease.renew()
                document, posted_now = document_post(
                    connection=connection, exporter=exporter, planned=item, run=run
                )
                if posted_now:
                    run.posted += 1
                elif document.status == DocumentStatus.POSTED:
                    run.skipped += 1
                else:
                    run.failed += 1
            _unchecked_totals_check(connection=connection, exporter=exporter, lease=lease)
        except (RetryableError, AuthorizationError) as exc:
            run.failed += 1
            run.error = str(exc)
            raise
        finally:
            run.flagged = run.documents.filter(total_check=TotalCheck.DIFFERS).count()
            run.finished_at = timezone.now()
            run.save()
    return run


def document_retry(*, document_id: int) -> ExportRun:
    """Post one logged (failed or interrupted) document again: its period is planned afresh
    and only its key is posted. A posted document is never sent again."""
    document = ExportDocument.objects.get(pk=document_id)
    if document.status == DocumentStatus.POSTED:
        raise ExportRefused(f"{document.reference} is posted already")
    day = document.document_date
    date_from = day.replace(day=1) if document.source_key.startswith("cogs:month:") else day
    return period_export(
        connection_id=document.connection_id,
        date_from=date_from,
        date_to=day,
        trigger="retry",
        only_keys=frozenset({document.source_key}),
    )


def scheduled_exports_due(*, today: date | None = None) -> list[tuple[int, date, date]]:
    """(connection id, from, to) of every connected, scheduled connection with whole days to post
    up to yesterday (at most MAX_DAYS_PER_RUN days each)."""
    today = today or timezone.localdate()
    yesterday = today - timedelta(days=1)
    due = []
    for connection in AccountingConnection.objects.filter(
        status=ConnectionStatus.CONNECTED, schedule_enabled=True
    ).order_by("pk"):
        start = max(connection.export_from, (connection.exported_through or date.min) + timedelta(days=1))
        if start > yesterday:
            continue
        end = min(yesterday, start + timedelta(days=MAX_DAYS_PER_RUN - 1))
        due.append((connection.pk, start, end))
    return due


def scheduled_export_run(*, connection_id: int, date_from: date, date_to: date) -> ExportRun:
    """A scheduled run; once it completes without failures, ``exported_through`` moves on."""
    run = period_export(connection_id=connection_id, date_from=date_from, date_to=date_to, trigger="schedule")
    if run.failed == 0:
        AccountingConnection.objects.filter(pk=connection_id).update(exported_through=date_to)
    return run
