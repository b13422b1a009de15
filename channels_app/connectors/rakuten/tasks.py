"""Celery tasks of the Rakuten connector (thin: they call ``answers``)."""

from __future__ import annotations

from celery import shared_task

from channels_app.models import ChannelAccount


@shared_task(bind=True, max_retries=8, acks_late=True)
def rakuten_sales_answer_task(self, account_id: int) -> dict:
    """Take in, decide and answer the new sales of one account; retried after "Quota exceeded"."""
    from channels_app.connectors.rakuten.answers import account_sales_answer

    summary = account_sales_answer(account_id=account_id)
    if summary.retry_after is not None:  # "Quota exceeded": back off, doubling up to an hour
        raise self.retry(countdown=min(summary.retry_after * 2**self.request.retries, 3600.0))
    return {"awaiting": summary.awaiting, "accepted": summary.accepted, "refused": summary.refused}


@shared_task
def rakuten_sales_answer_all_task() -> int:
    """Beat entry (``RAKUTEN_SALES_SECONDS``): one answer task per enabled Rakuten account."""
    ids = list(ChannelAccount.objects.filter(kind="rakuten", enabled=True).values_list("pk", flat=True))
    for account_id in ids:
        rakuten_sales_answer_task.delay(account_id)
    return len(ids)
