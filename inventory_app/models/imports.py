"""Catalog imports run in the background: one row per uploaded file."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportJobStatus(models.TextChoices):
    """Where a background import is."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    """One catalog CSV import: the file until it ran, its status and progress, then its report.

    ``result`` is the import report (``ok``, ``applied``, counts, row errors); ``error`` says why a
    run failed outright. The file is dropped once the job is done.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    filename = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=16, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done")
    rows_total = models.PositiveIntegerField(default=0)
    content = models.TextField(blank=True, help_text="The CSV until the job ran")
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"
