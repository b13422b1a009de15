"""The periodic sweep (polls and pending exports) as a django_celery_beat row."""

from __future__ import annotations

from django_celery_beat.models import IntervalSchedule, PeriodicTask

SWEEP_TASK = "shipping_app.tasks.shipping_sweep_task"
SWEEP_NAME = "shipping: poll shipments and send pending orders"


def shipping_schedule_ensure(*, every_seconds: int = 300) -> PeriodicTask:
    """Create or update the beat row of the sweep (idempotent; the data migration does the same)."""
    interval, _ = IntervalSchedule.objects.get_or_create(every=every_seconds, period=IntervalSchedule.SECONDS)
    task, _ = PeriodicTask.objects.update_or_create(
        name=SWEEP_NAME, defaults={"task": SWEEP_TASK, "interval": interval, "enabled": True}
    )
    return task
