"""Routine rescues log at DEBUG: beat's every-few-seconds rescue must not flood the console.

Celery logs each task it receives and finishes, and beat each task it sends, at INFO. For the
stalled-work rescue those lines are routine: :class:`RoutineRescueFilter` turns them into DEBUG
records (shown only when the logger is at DEBUG). A rescue that found stalled work (a non-zero
count in its result) stays at INFO.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from channels_app import task_names

RESCUE_TASK = task_names.STALLED_WORK_RESCUE
CELERY_LOGGERS = ("celery.app.trace", "celery.worker.strategy", "celery.beat")
_NONZERO = re.compile(r":\s*[1-9]")


def _routine(record: logging.LogRecord) -> bool:
    if record.levelno != logging.INFO:
        return False
    args = record.args
    if isinstance(args, Mapping):  # the worker: "received", "succeeded in ...: <result>"
        if args.get("name") != RESCUE_TASK:
            return False
        result = args.get("return")
        return result is None or not _NONZERO.search(str(result))
    return isinstance(args, tuple) and RESCUE_TASK in args  # beat: "Sending due task <name> (<task>)"


class RoutineRescueFilter(logging.Filter):
    """Demotes the routine rescue's INFO lines to DEBUG (dropped unless the logger shows DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _routine(record):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def rescue_log_filter_install() -> None:
    """Attach the filter to Celery's worker and beat loggers (idempotent)."""
    for name in CELERY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RoutineRescueFilter) for f in logger.filters):
            logger.addFilter(RoutineRescueFilter())
