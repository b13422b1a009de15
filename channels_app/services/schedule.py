"""Per-account periodic jobs as django_celery_beat rows (poll and reconciliation)."""

from __future__ import annotations

import json

from django_celery_beat.models import IntervalSchedule, PeriodicTask

from channels_app.models import ChannelAccount

RECONCILE_EVERY_SECONDS = 3600


def _interval(seconds: int) -> IntervalSchedule:
    schedule, _ = IntervalSchedule.objects.get_or_create(
        every=max(seconds, 1), period=IntervalSchedule.SECONDS
    )
    return schedule


def account_schedule_ensure(*, account: ChannelAccount) -> list[PeriodicTask]:
    """Create or update the account's order-poll and reconciliation beat entries (idempotent).

    Both are enabled exactly when the account is.
    """
    jobs = [
        (
            f"channels:orders-poll:{account.pk}",
            "channels_app.tasks.account_orders_sync_task",
            account.poll_interval_seconds,
        ),
        (
            f"channels:reconcile:{account.pk}",
            "channels_app.tasks.account_reconcile_task",
            RECONCILE_EVERY_SECONDS,
        ),
    ]
    tasks = []
    for name, task, seconds in jobs:
        periodic, _ = PeriodicTask.objects.update_or_create(
            name=name,
            defaults={
                "task": task,
                "interval": _interval(seconds),
                "args": json.dumps([account.pk]),
                "enabled": account.enabled,
            },
        )
        tasks.append(periodic)
    return tasks
