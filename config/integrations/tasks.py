"""Queueing Celery tasks from services: by name, once the caller's transaction commits.

Services never import task modules (tasks import services, not the reverse): they name the task
(each app keeps its names as constants) and call :func:`task_enqueue`. The task is sent by
``transaction.on_commit``: at once outside a transaction, after the commit inside one, never
when it rolls back, so a worker never runs ahead of the rows it needs. The task modules are
imported by each app's ``ready()``, so the name resolves in every process (web, worker, beat,
commands); ``task_always_eager`` (tests) runs it in place as ``delay`` would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from django.db import transaction


def _send(name: str, args: tuple, kwargs: dict, options: dict) -> None:
    from config.celery import app

    app.tasks[name].apply_async(args=args, kwargs=kwargs, **options)


def task_enqueue(
    *,
    name: str,
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    countdown: float | None = None,
    using: str | None = None,
) -> None:
    """Send the registered task ``name`` with ``args``/``kwargs`` after the current transaction
    (of database ``using``) commits; ``countdown`` delays it by that many seconds. An unknown
    name raises ``celery.exceptions.NotRegistered`` when it is sent."""
    options = {} if countdown is None else {"countdown": countdown}
    transaction.on_commit(partial(_send, name, tuple(args), dict(kwargs or {}), options), using=using)
