"""Per-account periodic jobs as django_celery_beat rows (poll, reconciliation and, for accounts
with a notification queue, the start of its consumer)."""

from __future__ import annotations

import json

from django_celery_beat.models import IntervalSchedule, PeriodicTask

from channels_app import task_names
from channels_app.models import ChannelAccount

RECONCILE_EVERY_SECONDS = 3600
# Beat starts the account's queue consumer this often (a no-op while one runs: its lease).
NOTIFICATIONS_EVERY_SECONDS = 60


def _interval(seconds: int) -> IntervalSchedule:
    schedule, _ = IntervalSchedule.objects.get_or_create(
        every=max(seconds, 1), period=IntervalSchedule.SECONDS
    )
    return schedule


def account_schedule_ensure(*, account: ChannelAccount) -> list[PeriodicTask]:
    """Create or update the account's order-poll and reconciliation beat entries (idempotent).

    Both are enabled exactly when the account is. The notification consumer's entry is enabled
    when the account is and its connector has a queue to pull (``notifications_configured``).
    """
    from channels_app.notifications.queue import account_notifications_configured

    jobs = [
        (
            f"channels:orders-poll:{account.pk}",
            task_names.ACCOUNT_ORDERS_SYNC,
            account.poll_interval_seconds,
        ),
        (
            f"channels:reconcile:{account.pk}",
            task_names.ACCOUNT_RECONCILE,
            RECONCILE_EVERY_SECONDS,
        ),
    ]
    notifications = account_notifications_configured(account=account)
    name = f"channels:notifications:{account.pk}"
    if notifications:
        jobs.append((name, task_names.ACCOUNT_NOTIFICATIONS_PULL, NOTIFICATIONS_EVERY_SECONDS))
    else:
        for stale in PeriodicTask.objects.filter(name=name, enabled=True):
            stale.enabled = False
            stale.save(update_fields=["enabled"])  # save(): beat notices the change
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
