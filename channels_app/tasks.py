"""The sync engine's Celery tasks: each flow keeps its own beside its services (``intake``,
``push``, ``notifications``, ``reconcile``, ``order_reports``); this module holds the listings
import, the worker start hook, and imports every flow's tasks so Celery's autodiscovery (which
looks for ``<app>.tasks``) and the app's ``ready()`` register them in every process.

Tasks take ids, call one service and retry with bounded backoff (``channels_app.retrying``).
Services enqueue them by name after commit (``config.integrations.tasks.task_enqueue``). A task
that runs out of retries leaves its rows as they are (dirty listings stay dirty, failed events
stay failed) for the sweeper and for staff, who can retry from the admin or the API.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from channels_app import task_names
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.http import HostRefused
from channels_app.intake.tasks import (
    account_orders_sync_task,
    inbound_event_fetch_task,
    inbound_event_process_task,
    inbound_events_drain_task,
)
from channels_app.notifications.tasks import account_notifications_pull_task
from channels_app.order_reports.tasks import (
    channel_order_push_task,
    channel_order_pushes_sweep_task,
    order_fulfilment_push_task,
)
from channels_app.push.run import worker_claims_release
from channels_app.push.tasks import account_push_task, outbox_sweep_task
from channels_app.reconcile.rescue import stalled_work_rescue
from channels_app.reconcile.tasks import account_reconcile_task, stalled_work_rescue_task
from channels_app.retrying import task_retry_or_raise
from channels_app.services.jobs import account_full_push_step, account_listings_import_job_run
from channels_app.services.onboarding import account_listings_import_by_id
from config.celery import broker_reconnected
from config.integrations.tasks import task_enqueue
from inventory_app.services.jobs import job_fail

__all__ = [
    "account_full_push_task",
    "account_listings_import_job_task",
    "account_listings_import_task",
    "account_notifications_pull_task",
    "account_orders_sync_task",
    "account_push_task",
    "account_reconcile_task",
    "channel_order_push_task",
    "channel_order_pushes_sweep_task",
    "inbound_event_fetch_task",
    "inbound_event_process_task",
    "inbound_events_drain_task",
    "order_fulfilment_push_task",
    "outbox_sweep_task",
    "stalled_work_rescue_task",
]

logger = logging.getLogger(__name__)


@shared_task(name=task_names.ACCOUNT_LISTINGS_IMPORT, bind=True, acks_late=True)
def account_listings_import_task(self, account_id: int) -> dict:
    """Import the account's listings and auto-link them (sync-now ``listings``)."""
    try:
        return account_listings_import_by_id(account_id=account_id)
    except RetryableError as exc:
        task_retry_or_raise(self, exc, retry_after=exc.retry_after)


@shared_task(name=task_names.ACCOUNT_LISTINGS_IMPORT_JOB, bind=True, acks_late=True)
def account_listings_import_job_task(self, job_id: int, account_id: int) -> dict | None:
    """Run a listings import background job; a channel that stays unavailable fails the job."""
    try:
        return account_listings_import_job_run(job_id=job_id, account_id=account_id)
    except RetryableError as exc:
        if self.request.retries >= settings.CHANNELS_TASK_MAX_RETRIES:
            job_fail(job_id=job_id, error=f"The channel stayed unavailable: {exc}")
            return None
        task_retry_or_raise(self, exc, retry_after=exc.retry_after)
    except (ConnectorError, HostRefused) as exc:
        job_fail(job_id=job_id, error=f"The channel failed: {exc}")
        return None


@shared_task(name=task_names.ACCOUNT_FULL_PUSH, bind=True, acks_late=True)
def account_full_push_task(self, job_id: int, account_id: int, marked: bool = False) -> None:
    """One step of a full push background job; the next step is enqueued while listings wait."""
    delay = account_full_push_step(job_id=job_id, account_id=account_id, marked=marked)
    if delay is not None:
        task_enqueue(name=task_names.ACCOUNT_FULL_PUSH, args=(job_id, account_id, True), countdown=delay)


@worker_ready.connect
def _worker_ready(sender=None, **_kwargs) -> None:
    """A worker starting releases what its previous run claimed (it died mid-push or mid-poll)
    and re-queues the work whose tasks it may have taken down with it."""
    hostname = getattr(sender, "hostname", "") or ""
    try:
        released = worker_claims_release(claimer=hostname)
    except Exception:  # the database may not be reachable yet: the leases run out anyway
        logger.warning("worker %s: claims of its previous run not released", hostname, exc_info=True)
        return
    if released["listings"] or released["polls"]:
        logger.warning("worker %s: released claims of its previous run: %s", hostname, released)
    _stalled_work_requeue(worker=hostname, when="on start")


def _stalled_work_requeue(*, worker: str, when: str) -> None:
    """Re-queue every account's stalled work now (no waiting threshold); failures are logged,
    since beat's rescue runs every few seconds anyway."""
    try:
        rescued = stalled_work_rescue(events_older_than=0.0, pushes_older_than=0.0)
    except Exception:
        logger.warning("worker %s: stalled work not re-queued %s", worker, when, exc_info=True)
        return
    if any(rescued.values()):
        logger.warning("worker %s: re-queued stalled work %s: %s", worker, when, rescued)


@broker_reconnected.connect
def _broker_reconnected(sender=None, worker: str = "", **_kwargs) -> None:
    """The broker is back after a loss: the drains and pushes queued in it may be gone (a Redis
    restarted empty) and the runs it cancelled are not redelivered before the visibility timeout,
    so the stalled work is queued again now instead of at beat's next rescue."""
    _stalled_work_requeue(worker=worker, when="after the broker came back")
