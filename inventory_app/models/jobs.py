"""Long jobs that run in the background (a full push, a listings import, an accounting export):
one row each, with progress and the result staff see on the job's page."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    """Where a background job is."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class BackgroundJob(models.Model):
    """One long job started by staff and run by a worker.

    ``kind`` names the job ("channels.full_push"), ``label`` says what it works on; ``done`` of
    ``total`` is its progress (``total`` 0: not known yet). When it ends, ``summary`` says what it
    did in one line, ``result`` holds its figures, ``links`` the pages to follow up (label, URL),
    and ``error`` why it failed. The integration apps create and advance jobs through
    :mod:`inventory_app.services.jobs`; the core knows nothing of their kinds.
    """

    kind = models.CharField(max_length=64, db_index=True)
    label = models.CharField(max_length=255)
    status = models.CharField(
        max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=500, blank=True, help_text="What the job does now")
    summary = models.CharField(max_length=500, blank=True)
    result = models.JSONField(default=dict, blank=True)
    links = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.label} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        """Percent done, None while the total is unknown."""
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)
