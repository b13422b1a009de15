"""Accounting exports started from the admin run as core background jobs: the page follows the
documents posted one by one, then shows the run's counts."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse

from accounting_app.models import AccountingConnection, ExportRun
from accounting_app.services.exports import period_export
from accounting_app.services.schedule import export_enqueue
from inventory_app.models import BackgroundJob
from inventory_app.services.jobs import job_begin, job_finish, job_progress, job_start_enqueued

EXPORT_KIND = "accounting.export"


def export_job_start(
    *, connection: AccountingConnection, date_from: date, date_to: date, user: AbstractBaseUser | None = None
) -> BackgroundJob:
    """Queue the export of a period as a background job; its task starts after commit."""
    return job_start_enqueued(
        kind=EXPORT_KIND,
        label=f"Accounting export: {connection.name}, {date_from} to {date_to}",
        user=user,
        enqueue=lambda job_id: export_enqueue(
            connection_id=connection.pk, date_from=date_from, date_to=date_to, job_id=job_id
        ),
    )


def export_job_run(*, job_id: int, connection_id: int, date_from: date, date_to: date) -> ExportRun | None:
    """Run the export of a job: progress per document, then the run's counts as its result.

    The export's refusals and transient failures propagate for the task to fail the job or retry
    it (a retry posts only what is not posted yet). None when the job is finished already.
    """
    if not job_begin(job_id=job_id):
        return None

    def progress(handled: int, planned: int) -> None:
        job_progress(
            job_id=job_id, done=handled, total=planned, note=f"Posting document {handled + 1} of {planned}"
        )

    run = period_export(
        connection_id=connection_id, date_from=date_from, date_to=date_to, on_progress=progress
    )
    summary = f"Posted {run.posted}, already posted {run.skipped}, failed {run.failed}"
    if run.flagged:
        summary += f", totals differ on {run.flagged}"
    log = reverse("admin:accounting_app_exportrun_change", args=[run.pk])
    job_finish(
        job_id=job_id,
        summary=summary + ".",
        result={
            "posted": run.posted,
            "already posted": run.skipped,
            "failed": run.failed,
            "flagged": run.flagged,
        },
        links=[("The export run", log)],
        done=run.posted + run.skipped + run.failed,
    )
    return run
