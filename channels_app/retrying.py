"""The sync engine's task retry rule: bounded exponential backoff that honours a channel's
Retry-After (``push.marks.backoff_seconds``), at most ``CHANNELS_TASK_MAX_RETRIES`` times."""

from __future__ import annotations

from typing import NoReturn

from django.conf import settings

from channels_app.push.marks import backoff_seconds


def task_retry_or_raise(task, exc: Exception, *, retry_after: float | None = None) -> NoReturn:
    """Retry ``task`` after the bounded backoff, or re-raise ``exc`` once its retries are spent."""
    retries = task.request.retries
    if retries >= settings.CHANNELS_TASK_MAX_RETRIES:
        raise exc
    raise task.retry(
        exc=exc,
        countdown=backoff_seconds(failures=retries + 1, retry_after=retry_after),
        max_retries=settings.CHANNELS_TASK_MAX_RETRIES,
    ) from exc
