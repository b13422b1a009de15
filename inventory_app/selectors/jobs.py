"""Reads of background jobs: the state a job's page polls."""

from __future__ import annotations

from inventory_app.models import BackgroundJob


def job_state(*, job: BackgroundJob) -> dict:
    """What the progress bar shows: status, done of total, percent (None: not known), note, and
    whether the job is finished (the page then shows its result)."""
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "note": job.note,
        "finished": job.finished,
    }
