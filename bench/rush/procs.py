"""Process supervision: gunicorn, Celery workers and beat, and the Redis broker's restart."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tree(pid: int) -> list[int]:
    """``pid`` and its live descendants."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found, grew = {pid}, True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in found and child not in found:
                found.add(child)
                grew = True
    return sorted(found)


def _hwm_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Supervisor:
    """Starts and watches the system's processes; records each process's peak memory."""

    def __init__(self, *, env: dict, web_workers: int, celery_workers: int, concurrency: int) -> None:
        self.env = env
        self.bin = Path(sys.executable).parent
        self.port = free_port()
        self.web_workers, self.celery_workers, self.concurrency = web_workers, celery_workers, concurrency
        self.procs: dict[str, subprocess.Popen] = {}
        self.peak_mb: dict[str, float] = {}
        self.restarts: dict[str, int] = {}
        self.redis_proc: subprocess.Popen | None = None
        self.cmds: dict[str, list[str]] = {}
        self.crashes: dict[str, int] = {}
        self.lock = threading.Lock()

    def _spawn(self, name: str, cmd: list[str]) -> None:
        log = open(Path(self.env.get("RUSH_VAR", "/tmp")) / f"{name}.log", "ab")  # noqa: SIM115
        self.cmds[name] = cmd
        self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=log)
        log.close()

    def watch(self, stop) -> None:
        """Like systemd's Restart=always: a process that exits on its own is started again
        (counted in ``crashes``), checked every second until ``stop`` is set."""
        while not stop.wait(1.0):
            with self.lock:
                for name, proc in list(self.procs.items()):
                    if proc.poll() is not None:
                        self.crashes[name] = self.crashes.get(name, 0) + 1
                        self._spawn(name, self.cmds[name])

    def log_count(self, text: str) -> int:
        """How many lines of the processes' logs contain ``text``."""
        total = 0
        for path in Path(self.env.get("RUSH_VAR", "/tmp")).glob("*.log"):
            with open(path, errors="replace") as handle:
                total += sum(1 for line in handle if text in line)
        return total

    def _worker_cmd(self, n: int) -> list[str]:
        return [str(self.bin / "celery"), "-A", "config", "worker", "-c", str(self.concurrency),
                "-n", f"rush{n}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
                "-l", self.env.get("RUSH_WORKER_LOG_LEVEL", "WARNING")]  # fmt: skip

    def start(self) -> None:
        self._spawn("web", [str(self.bin / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{self.port}",
                            "-w", str(self.web_workers), "-k", "gthread", "--threads", "8",
                            "--log-level", "warning"])  # fmt: skip
        for n in range(self.celery_workers):
            self._spawn(f"worker{n}", self._worker_cmd(n))
        schedule = Path(self.env.get("RUSH_VAR", "/tmp")) / f"celerybeat-{self.port}"
        self._spawn("beat", [str(self.bin / "celery"), "-A", "config", "beat", "-l", "WARNING",
                             "-s", str(schedule)])  # fmt: skip

    def sample(self) -> None:
        """Record the peak resident memory (VmHWM) of every process tree, per role."""
        for name, proc in self.procs.items():
            role = name
            total = sum(_hwm_mb(pid) for pid in _tree(proc.pid))
            self.peak_mb[role] = round(max(self.peak_mb.get(role, 0.0), total), 1)

    def kill_worker(self, n: int = 0) -> None:
        """SIGKILL a Celery worker (the main process and its pool children), then start it again."""
        name = f"worker{n}"
        self.sample()
        with self.lock:
            for pid in _tree(self.procs[name].pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.procs[name].wait()
            time.sleep(1.0)
            self._spawn(name, self._worker_cmd(n))
        self.restarts[name] = self.restarts.get(name, 0) + 1

    def restart_broker(self, down_seconds: float = 2.0) -> None:
        """Shut the Redis at REDIS_URL down (no save: queued tasks are lost) and start a new
        empty Redis on the same port, which the rush then owns and stops at the end."""
        url = urlsplit(self.env["REDIS_URL"])
        with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
            sock.sendall(b"*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n")
            with contextlib.suppress(OSError):
                sock.recv(100)
        if self.redis_proc is not None:
            self.redis_proc.wait(10)
        time.sleep(down_seconds)
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.redis_proc = subprocess.Popen(
            [binary, "--port", str(url.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.env.get("RUSH_VAR", "/tmp"), "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection((url.hostname, url.port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        self.restarts["redis"] = self.restarts.get("redis", 0) + 1

    def alive(self) -> dict[str, bool]:
        return {name: proc.poll() is None for name, proc in self.procs.items()}

    def stop(self) -> None:
        self.sample()
        self.lock.acquire()  # the watchdog restarts nothing any more
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.redis_proc is not None:
            self.redis_proc.terminate()
            self.redis_proc.wait(10)
