"""A real ``celery worker`` on Redis keeps running when Redis is restarted, empty, under it while a
late-ack task runs, reconnects, and runs a task sent after the restart.

kombu 5.7's Redis transport made such a worker exit ("Unrecoverable error: AttributeError('NoneType'
object has no attribute 'hostname')"); config.celery.BrokerLossSafeConsumer works around it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery

from config.devservices import _wait_port
from tests.config.helpers import BASE_DIR, closed_port, config_free_env

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")

TASKS = "tests.config.worker_tasks"


def _redis_start(port: int, workdir: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir), "--daemonize", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    _wait_port(port, 20, proc)
    return proc


def _send(url: str, name: str, *args) -> None:
    """Publish one task message on a connection of its own to ``url`` (Celery's broker_url would
    prefer a CELERY_BROKER_URL in the environment, e.g. the suite's Redis)."""
    sender = Celery("sender", set_as_current=False)
    with sender.connection_for_write(url) as connection:
        sender.send_task(f"{TASKS}.{name}", args=list(args), connection=connection)


def _wait_file(path: Path, timeout: float) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.1)
    return None


@pytest.mark.slow
def test_worker_survives_a_redis_restart_while_a_late_ack_task_runs(tmp_path):
    port = closed_port()
    url = f"redis://127.0.0.1:{port}/0"
    redis = _redis_start(port, tmp_path)
    env = config_free_env(dict(os.environ), tmp_path / "var")
    env.update(SECRET_KEY="broker-restart-test-" + "k" * 40, CELERY_BROKER_URL=url, REDIS_URL=url)
    log_path = tmp_path / "worker.log"
    with open(log_path, "wb") as log:
        # -c 2 and one running task: the worker still has a BRPOP in flight when Redis goes away.
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-c", "2", "-I", TASKS,
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
            cwd=BASE_DIR, env=env, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
    started, done = tmp_path / "started", tmp_path / "done"
    try:
        _send(url, "file_write_then_sleep", str(started), "running", 60)
        assert _wait_file(started, 30) == "running", log_path.read_text()

        redis.kill()  # Redis dies with the late-ack task unacknowledged, then comes back empty
        redis.wait(10)
        time.sleep(2)
        redis = _redis_start(port, tmp_path)
        _send(url, "file_write", str(done), "after the restart")
        text = _wait_file(done, 20)
        alive = worker.poll() is None
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
        redis.kill()
        redis.wait(10)

    output = log_path.read_text()
    assert (text, alive) == ("after the restart", True), output
    assert "Unrecoverable error" not in output, output
