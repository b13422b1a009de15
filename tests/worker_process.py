"""A real ``celery worker`` process on the test database and the configured broker.

On the embedded pass of ``make test`` that is the SQLite test database (a file) and the
file-system broker (its folders under VAR_DIR); on the PostgreSQL pass, the test PostgreSQL and
Redis. The worker inherits this process's environment (SECRET_KEY, so it decrypts the stored
credentials; VAR_DIR; CELERY_BROKER_URL) and consumes what this process enqueues.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def tests_database_url() -> str:
    """The DATABASE_URL of the test database this process uses."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@contextlib.contextmanager
def celery_worker(name: str, **env: str) -> Iterator[subprocess.Popen]:
    """Run one ``celery worker`` (solo pool) for the block; stop it and return its output on error."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-n", f"{name}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": tests_database_url(), "LOG_LEVEL": "WARNING", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def wait_for(predicate: Callable[[], object], *, timeout: float, what: str, proc: subprocess.Popen):
    """Poll ``predicate`` until it is true (bounded); fail with the worker's output otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.terminate()
            _, err = proc.communicate(timeout=30)
            raise AssertionError(
                f"timed out after {timeout} s waiting for {what}; worker said:\n{err.decode()}"
            )
        time.sleep(0.1)
