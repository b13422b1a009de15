"""Tasks only the broker-restart test's worker loads (``celery worker -I tests.config.worker_tasks``).

They touch no database: each writes a file the test waits for.
"""

from __future__ import annotations

import time
from pathlib import Path

from config.celery import app


@app.task(name="tests.config.worker_tasks.file_write_then_sleep")
def file_write_then_sleep(path: str, text: str, seconds: float) -> None:
    """Write ``text`` to ``path``, then keep the worker busy for ``seconds``."""
    Path(path).write_text(text)
    time.sleep(seconds)


@app.task(name="tests.config.worker_tasks.file_write")
def file_write(path: str, text: str) -> None:
    """Write ``text`` to ``path``."""
    Path(path).write_text(text)
