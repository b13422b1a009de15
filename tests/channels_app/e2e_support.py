"""What the end-to-end tests with real processes share: free ports, bounded waits, the Redis
broker, and child processes that are always stopped."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def redis_url_fixture():
    """The Redis broker: the one devservices started, else a private one (skip if impossible)."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    if url.startswith("redis://"):
        yield url
        return
    from config.devservices import redis_server

    with tempfile.TemporaryDirectory(prefix="e2e-redis-") as workdir:
        try:
            server = redis_server(Path(workdir))
            url = server.__enter__()
        except Exception as exc:
            pytest.skip(f"redis-server cannot be installed or started here: {exc}")
        try:
            yield url
        finally:
            server.__exit__(None, None, None)


class Processes:
    """Child processes in their own process groups, output kept in files, always stopped."""

    def __init__(self, env: dict[str, str], logdir: Path) -> None:
        self.env = env
        self.logdir = logdir
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.logdir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.logdir / f"{name}.log").read_text(errors="replace")

    def check_alive(self) -> None:
        dead = {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}
        assert not dead, f"processes died: {dead}\n" + "\n".join(self.log(n)[-3000:] for n in dead)

    def stop(self) -> None:
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(deadline - time.monotonic(), 0.1))
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # the group: prefork children too
            proc.wait()


def processes_env(*, redis_url: str) -> dict[str, str]:
    """The environment of the child processes: the test database, Redis, loopback channels."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": redis_url,
        "REDIS_URL": redis_url,
        "CHANNELS_ALLOW_PRIVATE_HOSTS": "1",
        "CHANNELS_PUSH_BACKOFF_BASE": "0.2",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DEBUG": "1",  # plain HTTP on loopback (no HTTPS redirect of the webhooks)
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }


def web_start(procs: Processes, *, port: int) -> None:
    """gunicorn serving our web app on 127.0.0.1:``port``."""
    procs.start(
        "web",
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", f"--bind=127.0.0.1:{port}",
         "--workers=2", "--graceful-timeout=5"],
    )  # fmt: skip


def workers_start(procs: Processes, *, names: tuple[str, ...] = ("w1", "w2")) -> None:
    """Celery workers of two processes each."""
    for name in names:
        procs.start(
            name,
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-c", "2", "-n", f"{name}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"],
        )  # fmt: skip


def beat_start(procs: Processes) -> None:
    """celery beat on the database scheduler."""
    procs.start(
        "beat",
        [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "INFO",
         "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
         f"--pidfile={procs.logdir / 'beat.pid'}"],
    )  # fmt: skip


def ready_wait(
    procs: Processes, *, web_port: int, timeout: float, workers: tuple[str, ...] = ("w1", "w2")
) -> None:
    """Wait (bounded) until the web answers and the workers say they are ready."""

    def ready():
        procs.check_alive()
        try:
            web = requests.get(f"http://127.0.0.1:{web_port}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            web = False
        return web and all(" ready." in procs.log(n) for n in workers)

    wait_until(ready, timeout=timeout, what="web and workers", interval=0.2)
