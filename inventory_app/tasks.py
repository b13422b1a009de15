"""Celery tasks of the core: the e-mail alerts (beat: the check every few minutes, the digest daily)."""

from __future__ import annotations

from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def alerts_notify_task() -> int:
    """Mail new alerts (a mail server that does not answer is retried with backoff)."""
    from inventory_app.services.alerts import alerts_notify

    return alerts_notify()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def alerts_digest_task() -> int:
    """Mail the daily digest when ALERTS_DIGEST is on."""
    from inventory_app.services.alerts import alerts_digest_send

    return alerts_digest_send()
