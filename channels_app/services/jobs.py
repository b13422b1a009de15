"""Long channel jobs staff start from the admin, run in the background as core background jobs:
a full push (every linked listing sent again) and a listings import.

The request only creates the job and enqueues its task after commit; the job's page follows it.
A full push marks every linked, pushable listing of the account dirty (and to be sent even when
we believe the channel shows that figure) and lets the push flow send them, rate limits and
backoff included; its task then checks every few seconds how many were pushed since the job
started and finishes when none waits any more (listings still failing are named in the result:
the push flow retries them with backoff) or after ``FULL_PUSH_WATCH``.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone

from channels_app import task_names
from channels_app.models import ChannelAccount, Listing
from channels_app.push.outbox import account_push_request
from channels_app.services.onboarding import account_listings_import
from config.integrations.tasks import task_enqueue
from inventory_app.models import BackgroundJob
from inventory_app.services.jobs import job_begin, job_fail, job_finish, job_progress, job_start_enqueued

FULL_PUSH_KIND = "channels.full_push"
LISTINGS_IMPORT_KIND = "channels.listings_import"
FULL_PUSH_CHECK_SECONDS = 3.0
FULL_PUSH_WATCH = timedelta(hours=6)


def _pushable(*, account_id: int):
    return Listing.objects.filter(account_id=account_id, sku__isnull=False, push_enabled=True)


def _listings_link(*, account_id: int) -> tuple[str, str]:
    return (
        "Listings of the account",
        reverse("admin:channels_app_listing_changelist") + f"?account__id__exact={account_id}",
    )


def account_full_push_start(
    *, account: ChannelAccount, user: AbstractBaseUser | None = None
) -> BackgroundJob:
    """Queue a full push of ``account`` as a background job; its task starts after commit."""
    return job_start_enqueued(
        kind=FULL_PUSH_KIND,
        label=f"Full push: {account.name}",
        user=user,
        total=_pushable(account_id=account.pk).count(),
        enqueue=lambda job_id: task_enqueue(
            name=task_names.ACCOUNT_FULL_PUSH, args=(job_id, account.pk, False)
        ),
    )


def account_full_push_step(*, job_id: int, account_id: int, marked: bool) -> float | None:
    """One step of a full push: mark the listings (first step), then record progress.

    Returns the seconds until the next check, or None when the job is finished (or was already).
    A step run twice (a redelivered task) marks the listings again, which only sends them again.
    """
    if not job_begin(job_id=job_id):
        return None
    if not ChannelAccount.objects.filter(pk=account_id, enabled=True).exists():
        job_fail(job_id=job_id, error="The account is disabled or gone; nothing was pushed.")
        return None
    if not marked:
        with transaction.atomic():
            _pushable(account_id=account_id).update(
                needs_push=True,
                belief_shifted=True,  # sent even when we believe the channel shows the figure
                dirty_since=Now(),
                dirty_version=F("dirty_version") + 1,
                next_attempt_at=None,
            )
            account_push_request(account_ids=[account_id])
    job = BackgroundJob.objects.get(pk=job_id)
    listings = _pushable(account_id=account_id)
    total = listings.count()
    remaining = listings.filter(needs_push=True).exclude(last_pushed_at__gte=job.started_at)
    failing = remaining.filter(push_failures__gt=0).count()
    waiting = remaining.count() - failing
    done = total - failing - waiting
    watched_out = timezone.now() - job.started_at > FULL_PUSH_WATCH
    if waiting and not watched_out:
        job_progress(job_id=job_id, done=done, total=total, note=f"{waiting} listing(s) wait to be pushed")
        return FULL_PUSH_CHECK_SECONDS
    summary = f"Pushed {done} of {total} listing(s)."
    if failing:
        summary += f" {failing} failing: the push retries them with backoff; see their last error."
    if waiting:
        summary += f" {waiting} still waiting after {FULL_PUSH_WATCH}; the push goes on without this page."
    job_finish(
        job_id=job_id,
        summary=summary,
        result={"listings": total, "pushed": done, "failing": failing, "waiting": waiting},
        links=[_listings_link(account_id=account_id)],
        done=done,
    )
    return None


def account_listings_import_start(
    *, account: ChannelAccount, user: AbstractBaseUser | None = None
) -> BackgroundJob:
    """Queue an import of ``account``'s listings as a background job (task after commit)."""
    return job_start_enqueued(
        kind=LISTINGS_IMPORT_KIND,
        label=f"Listings import: {account.name}",
        user=user,
        enqueue=lambda job_id: task_enqueue(
            name=task_names.ACCOUNT_LISTINGS_IMPORT_JOB, args=(job_id, account.pk)
        ),
    )


def account_listings_import_job_run(*, job_id: int, account_id: int) -> dict[str, int] | None:
    """Run a listings import job: progress after each page, then the counts as its result.

    The connector's errors propagate (the task retries transient ones, then fails the job with
    :func:`inventory_app.services.jobs.job_fail`); the import is idempotent, so a retry or a
    redelivery simply starts it over. None when the job is finished already.
    """
    if not job_begin(job_id=job_id):
        return None
    account = ChannelAccount.objects.filter(pk=account_id, enabled=True).first()
    if account is None:
        job_fail(job_id=job_id, error="The account is disabled or gone; nothing was imported.")
        return None
    counts = account_listings_import(
        account=account,
        on_page=lambda imported: job_progress(
            job_id=job_id, done=imported, note=f"{imported} listing(s) read so far"
        ),
    )
    job_finish(
        job_id=job_id,
        summary=f"Imported {counts['imported']} listing(s); linked {counts['linked']} to our SKUs by code.",
        result=counts,
        links=[_listings_link(account_id=account_id)],
        done=counts["imported"],
    )
    return counts
