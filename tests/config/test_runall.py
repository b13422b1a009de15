"""``python -m config.runall`` (``make run``): supervision of real child processes, end to end."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from config.runall import PLAIN_HTTP_SETTINGS, runall_environment, runall_exposure_problem, runall_services
from tests.config.helpers import BASE_DIR, closed_port, config_free_env, run_python

SUPERVISE = """
import os, sys
from config.runall import Service, supervise
services = [Service(name, [sys.executable, "-c", code]) for name, code in {services!r}]
sys.exit(supervise(services, env=dict(os.environ), stop_timeout={stop_timeout}))
"""
# Prints its pid and its own child's (same process group), then sleeps.
SLEEPER = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
print("ready", os.getpid(), child.pid, flush=True)
time.sleep(120)
"""
STUBBORN = """
import os, signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", os.getpid(), flush=True)
time.sleep(120)
"""
QUITTER = """
import sys, time
time.sleep(1)
print("hello")
print("partial", end="")
sys.exit(3)
"""


class Running:
    """A process started in its own session whose output lines are collected as they come."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            argv,
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        """The first output line matching ``pattern``; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if match := re.search(pattern, line):
                    return match
            if self.proc.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.1)
        pytest.fail(f"no line matching {pattern!r}; output:\n{self.output}")

    def finish(self, timeout: float) -> int:
        returncode = self.proc.wait(timeout)
        self._reader.join(10)
        return returncode

    def child_groups(self) -> dict[str, int]:
        """name -> pid (= process group) of the children runall reported starting."""
        return {m[1]: int(m[2]) for m in re.finditer(r"started (\w+) \(pid (\d+)\)", self.output)}

    def kill_everything(self) -> None:
        for pgid in [*self.child_groups().values(), self.proc.pid]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
        self.proc.wait(10)


def _live_members(pgids: set[int]) -> list[int]:
    """Processes (zombies excepted) that belong to one of the process groups ``pgids``."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) in pgids:
            members.append(int(stat.parent.name))
    return members


def _assert_groups_gone(pgids: set[int]) -> None:
    deadline = time.monotonic() + 5
    while _live_members(pgids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _live_members(pgids) == []


def test_runall_environment_defaults_to_no_debug_and_the_kept_secret_key(tmp_path):
    env = runall_environment({"VAR_DIR": str(tmp_path / "var"), "PATH": "/usr/bin"})

    assert env["DEBUG"] == "0"
    # Bound to loopback (the default): plain HTTP.
    assert [env[name] for name in PLAIN_HTTP_SETTINGS] == ["0", "0", "0"]
    assert env["SECRET_KEY"] == (tmp_path / "var" / "secret_key").read_text()
    assert env["VAR_DIR"] == str(tmp_path / "var")
    assert env["PYTHONUNBUFFERED"] == "1"


def test_runall_environment_keeps_what_the_environment_says(tmp_path):
    env = runall_environment({"VAR_DIR": "some/var", "DEBUG": "0", "SECRET_KEY": "given"})

    assert (env["DEBUG"], env["SECRET_KEY"]) == ("0", "given")
    assert env["VAR_DIR"] == str(BASE_DIR / "some" / "var")
    assert not (BASE_DIR / "some").exists()


@pytest.mark.parametrize("bind", ["127.0.0.1", "127.0.0.5", "::1", "[::1]", "localhost"])
def test_plain_http_is_allowed_on_loopback(bind, tmp_path):
    env = runall_environment({"VAR_DIR": str(tmp_path), "BIND": bind, "DEBUG": "1"})

    assert env["SECURE_SSL_REDIRECT"] == "0"
    assert runall_exposure_problem(env) is None


@pytest.mark.parametrize("bind", ["0.0.0.0", "::", "192.168.1.10", "stock.example.com"])  # noqa: S104
def test_beyond_loopback_https_is_enforced_and_debug_refused(bind, tmp_path):
    env = runall_environment({"VAR_DIR": str(tmp_path), "BIND": bind})
    debug = runall_environment({"VAR_DIR": str(tmp_path), "BIND": bind, "DEBUG": "1"})
    plain = runall_environment({"VAR_DIR": str(tmp_path), "BIND": bind, "SECURE_SSL_REDIRECT": "0"})

    assert not any(name in env for name in PLAIN_HTTP_SETTINGS)  # settings' production defaults
    assert runall_exposure_problem(env) is None
    assert "DEBUG is on" in runall_exposure_problem(debug)
    assert "plain HTTP is for loopback" in runall_exposure_problem(plain)


def test_runall_refuses_to_start_debug_beyond_loopback(tmp_path):
    env = config_free_env(dict(os.environ), tmp_path / "var")
    env.update(BIND="0.0.0.0", DEBUG="1")  # noqa: S104 - refused before anything listens

    result = subprocess.run(
        [sys.executable, "-m", "config.runall"], env=env, cwd=BASE_DIR, capture_output=True, timeout=60
    )

    assert result.returncode == 2
    assert b"refusing to start: DEBUG is on" in result.stdout + result.stderr
    assert not (tmp_path / "var" / "db.sqlite3").exists()  # nothing was prepared


def test_runall_services_follow_bind_port_and_concurrency():
    env = {"BIND": "::1", "PORT": "9001", "WEB_CONCURRENCY": "3", "WORKER_CONCURRENCY": "5"}

    web, worker, beat = runall_services(env)

    assert (web.name, worker.name, beat.name) == ("web", "worker", "beat")
    assert web.argv[1:5] == ["-m", "gunicorn", "config.wsgi:application", "--bind=[::1]:9001"]
    assert "--workers=3" in web.argv
    assert "--concurrency=5" in worker.argv
    assert "--scheduler=django_celery_beat.schedulers:DatabaseScheduler" in beat.argv


def _supervise(services: list[tuple[str, str]], stop_timeout: float = 10) -> Running:
    code = SUPERVISE.format(services=services, stop_timeout=stop_timeout)
    return Running([sys.executable, "-c", code], dict(os.environ))


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")


@needs_proc
def test_one_child_exiting_stops_the_others_and_exits_with_its_code():
    running = _supervise([("quitter", QUITTER), ("sleeper", SLEEPER)])
    try:
        returncode = running.finish(timeout=30)
    finally:
        running.kill_everything()

    assert returncode == 3
    lines = running.lines
    assert "quitter | hello" in lines
    assert "quitter | partial" in lines
    assert "runall  | quitter exited with code 3: stopping the others" in lines
    assert lines[-1] == "runall  | stopped (exit code 3)"
    _assert_groups_gone(set(running.child_groups().values()))


@needs_proc
def test_a_child_killed_by_a_signal_makes_runall_exit_128_plus_the_signal():
    killed = "import os, signal, time; time.sleep(0.5); os.kill(os.getpid(), signal.SIGKILL)"
    running = _supervise([("victim", killed), ("sleeper", SLEEPER)])
    try:
        returncode = running.finish(timeout=30)
    finally:
        running.kill_everything()

    assert returncode == 128 + signal.SIGKILL
    assert "runall  | victim exited with code -9: stopping the others" in running.lines
    _assert_groups_gone(set(running.child_groups().values()))


@needs_proc
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_every_child_and_its_children_then_exits_0(signum):
    running = _supervise([("sleeper", SLEEPER), ("stubborn", STUBBORN)], stop_timeout=2)
    try:
        grandchild = int(running.wait_for(r"^sleeper  \| ready \d+ (\d+)$", timeout=20)[1])
        running.wait_for(r"^stubborn \| ready \d+$", timeout=20)
        groups = set(running.child_groups().values())
        assert grandchild in _live_members(groups)
        running.proc.send_signal(signum)
        returncode = running.finish(timeout=30)
    finally:
        running.kill_everything()

    assert returncode == 0
    lines = running.lines
    assert f"runall   | {signal.Signals(signum).name}: stopping sleeper, stubborn" in lines
    assert "runall   | killing stubborn" in lines  # it ignored SIGTERM for stop_timeout seconds
    assert lines[-1] == "runall   | stopped (exit code 0)"
    assert len(groups) == 2
    _assert_groups_gone(groups)  # the grandchild too, though it was never signalled directly


@needs_proc
def test_a_second_signal_kills_at_once():
    running = _supervise([("stubborn", STUBBORN)], stop_timeout=60)
    try:
        running.wait_for(r"^stubborn \| ready \d+$", timeout=20)
        running.proc.send_signal(signal.SIGINT)
        running.wait_for(r"^runall   \| SIGINT: stopping stubborn$", timeout=10)
        started = time.monotonic()
        running.proc.send_signal(signal.SIGINT)
        returncode = running.finish(timeout=30)
        elapsed = time.monotonic() - started
    finally:
        running.kill_everything()

    assert returncode == 0
    assert elapsed < 5
    assert "runall   | killing stubborn" in running.lines
    assert "runall   | stubborn stopped (exit code -9)" in running.lines
    _assert_groups_gone(set(running.child_groups().values()))


def _start_runall(env: dict[str, str]) -> Running:
    return Running([sys.executable, "-m", "config.runall"], env)


def _wait_http(url: str, running: Running, timeout: float) -> requests.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if running.proc.poll() is not None:
            pytest.fail(f"runall exited with {running.proc.returncode}:\n{running.output}")
        try:
            response = requests.get(url, timeout=10)
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still booting
            time.sleep(0.2)
            continue
        if response.status_code == 200:
            return response
        time.sleep(0.2)
    pytest.fail(f"{url} not 200 after {timeout}s:\n{running.output}")


def _admin_login(base: str, password: str) -> requests.Response:
    session = requests.Session()
    session.get(f"{base}/admin/login/", timeout=10).raise_for_status()
    return session.post(
        f"{base}/admin/login/?next=/admin/",
        data={
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "username": "admin",
            "password": password,
            "next": "/admin/",
        },
        timeout=10,
    )


def _send_task(env: dict[str, str], marker: str) -> str:
    code = f"from config.celery import app; print(app.send_task('celery.accumulate', args=[{marker!r}]).id)"
    result = run_python(code, runall_environment(env), timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def _exercise(running: Running, env: dict[str, str], port: int) -> None:
    """Probes, admin login with the printed credentials, a task through the broker."""
    base = f"http://127.0.0.1:{port}"
    assert _wait_http(f"{base}/healthz", running, timeout=90).json() == {"status": "ok"}
    ready = requests.get(f"{base}/readyz", timeout=10)
    assert (ready.status_code, ready.json()["status"]) == (200, "ok")

    password = running.wait_for(r"^runall \|       password: (\S+)$", timeout=30)[1]
    login = _admin_login(base, password)
    assert login.status_code == 200
    assert login.url == f"{base}/admin/"
    assert 'id="logout-form"' in login.text
    missing = requests.get(f"{base}/no-such-page/", timeout=10)
    assert missing.status_code == 404
    assert "URLconf" not in missing.text  # DEBUG is off by default: no debug pages
    secret = f"tok{uuid.uuid4().hex}"
    assert requests.post(f"{base}/webhooks/channels/{secret}/", data="{}", timeout=10).status_code == 404
    running.wait_for(r'^web    \| .*"POST /webhooks/channels/\*{8}/ HTTP/1\.1" 404', timeout=10)
    assert secret not in running.output  # neither gunicorn's access log nor Django's "Not Found"

    running.wait_for(r"^worker \| .* ready\.$", timeout=60)
    marker = f"marker-{uuid.uuid4().hex}"
    task_id = _send_task(env, marker)
    running.wait_for(
        rf"^worker \| .*Task celery\.accumulate\[{task_id}\] succeeded in .*'{marker}'", timeout=30
    )


@pytest.mark.slow
@needs_proc
def test_runall_embedded_serves_runs_tasks_and_stops_everything_on_sigint(tmp_path):
    port = closed_port()  # free now; runall binds it a moment later
    env = config_free_env(dict(os.environ), tmp_path / "var")
    env["PORT"] = str(port)
    running = _start_runall(env)
    try:
        _exercise(running, env, port)
        groups = running.child_groups()
        running.proc.send_signal(signal.SIGINT)
        returncode = running.finish(timeout=60)
    finally:
        running.kill_everything()

    assert returncode == 0, running.output
    assert sorted(groups) == ["beat", "web", "worker"]
    assert (tmp_path / "var" / "db.sqlite3").exists()
    assert any(line.startswith("beat   | ") for line in running.lines)
    assert running.lines[-1] == "runall | stopped (exit code 0)"
    _assert_groups_gone(set(groups.values()))
    # Quiet preparation: a one-line summary instead of every migration; the banner after start-up.
    assert not any("Applying " in line for line in running.lines)
    summary = next(n for n, line in enumerate(running.lines) if "database ready (" in line)
    banner = next(n for n, line in enumerate(running.lines) if "Admin (dashboard): http://" in line)
    password = next(n for n, line in enumerate(running.lines) if "password: " in line)
    started = [n for n, line in enumerate(running.lines) if line.startswith("runall | started ")]
    assert summary < max(started) < banner < password


@pytest.fixture
def redis_url(tmp_path):
    """The suite's Redis if it has one, else a private one if redis-server is installed, else None."""
    url = os.environ.get("REDIS_URL", "")
    if url or shutil.which("redis-server") is None:
        yield url or None
        return
    from config.devservices import redis_server

    workdir = tmp_path / "redis"
    workdir.mkdir()
    with redis_server(workdir) as url:
        yield url


@pytest.mark.slow
@needs_proc
def test_runall_on_postgres_and_redis_stops_the_others_when_web_dies(tmp_path, fresh_postgres_url, redis_url):
    """On PostgreSQL, and on Redis when redis-server is installed (else the file-system broker)."""
    port = closed_port()  # free now; runall binds it a moment later
    env = config_free_env(dict(os.environ), tmp_path / "var")
    env.update(PORT=str(port), DATABASE_URL=fresh_postgres_url)
    if redis_url:
        env["CELERY_BROKER_URL"] = redis_url
    running = _start_runall(env)
    try:
        _exercise(running, env, port)
        groups = running.child_groups()
        os.kill(groups["web"], signal.SIGKILL)
        returncode = running.finish(timeout=60)
    finally:
        running.kill_everything()

    assert returncode == 128 + signal.SIGKILL, running.output
    assert "runall | web exited with code -9: stopping the others" in running.lines
    assert not (tmp_path / "var" / "db.sqlite3").exists()
    broker = r"redis://(:\*\*@)?127\.0\.0\.1:\d+/0" if redis_url else r"filesystem://:\*\*@localhost//"
    assert re.search(rf"^worker \| .*Connected to {broker}$", running.output, re.M), running.output
    _assert_groups_gone(set(groups.values()))
