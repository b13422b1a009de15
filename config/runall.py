"""The whole system in the foreground, for ``make run``: ``python -m config.runall``.

1. Defaults: DEBUG off unless DEBUG is set (here or in .env); SECRET_KEY, when unset, is the one
   kept in VAR_DIR/secret_key (created on first use). Bound to loopback (BIND 127.0.0.1 or ::1,
   the default) plain HTTP is allowed: no HTTPS redirect, cookies over HTTP. Bound to any other
   address it refuses to start with DEBUG on or with plain HTTP allowed (SECURE_SSL_REDIRECT=0):
   such a site is reached through a TLS proxy.
2. ``manage.py migrate``, ``createcachetable``, ``collectstatic`` and ``ensure_admin``, their
   output shown only when one fails (a line says how many migrations were applied).
3. Three children, each output line prefixed with its name:
   web (gunicorn config.wsgi on BIND:PORT, WEB_CONCURRENCY workers), worker (Celery worker,
   WORKER_CONCURRENCY processes) and beat (celery beat with django_celery_beat's DatabaseScheduler).
   With DEMO=1 also the fake stores ``shopify``, ``amazon`` and those DEMO_STORES names
   (``channels_app.demo.fakes``) and the one-shot ``demo`` (``manage.py demo_setup``, which
   links them once they answer).

Once the web answers and the children have been quiet for a moment, a banner gives the admin
URL and, the first time, the generated admin credentials: the last thing on the screen.

SIGINT (Ctrl-C) or SIGTERM stops all three and exits 0; a second signal kills them at once. If
a child exits on its own, the others are stopped and runall exits non-zero. With nothing set, the
database is SQLite in VAR_DIR and the broker the file-system transport; with DATABASE_URL and
CELERY_BROKER_URL pointing at PostgreSQL and Redis it runs the same way.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import environ

from config.secret import dev_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
# Seconds the children get to finish after SIGTERM before they are killed.
STOP_TIMEOUT = 30.0
# The banner waits for this much silence from the children after the web answers (at most BANNER_WAIT).
BANNER_QUIET = 1.5
BANNER_WAIT = 20.0


@dataclass(frozen=True)
class Service:
    """A long-running child: its name (the output prefix) and its command line."""

    name: str
    argv: Sequence[str]
    # A one-shot step (the demo's set-up): exiting 0 is its success, not a reason to stop the rest.
    oneshot: bool = False


# Settings that let the site answer over plain HTTP, set off while bound to loopback.
PLAIN_HTTP_SETTINGS = ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")


def _loopback(bind: str) -> bool:
    host = bind.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def runall_environment(base: Mapping[str, str]) -> dict[str, str]:
    """The environment of every child: ``base`` plus the defaults (DEBUG off; plain HTTP while
    bound to loopback)."""
    env = dict(base)
    env.setdefault("DEBUG", "0")
    if _loopback(_reader(env).str("BIND", default="127.0.0.1")):
        for name in PLAIN_HTTP_SETTINGS:
            env.setdefault(name, "0")
    var_dir = BASE_DIR / env.get("VAR_DIR", "var")
    env["VAR_DIR"] = str(var_dir)
    if not env.get("SECRET_KEY"):
        env["SECRET_KEY"] = dev_secret_key(var_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return env


def _reader(env: Mapping[str, str]) -> environ.Env:
    reader = environ.Env()
    reader.ENVIRON = env
    return reader


def runall_exposure_problem(env: Mapping[str, str]) -> str | None:
    """Why the web must not start as configured (None: it may): bound beyond loopback, it needs
    DEBUG off and HTTPS enforced."""
    reader = _reader(env)
    bind = reader.str("BIND", default="127.0.0.1")
    if _loopback(bind):
        return None
    if reader.bool("DEBUG", default=False):
        return f"DEBUG is on and the web would listen on {bind}: set DEBUG=0 (debug pages are for loopback)"
    if not reader.bool("SECURE_SSL_REDIRECT", default=True):
        return (
            f"SECURE_SSL_REDIRECT=0 and the web would listen on {bind}: plain HTTP is for loopback "
            "only (put a TLS proxy in front that sets X-Forwarded-Proto)"
        )
    return None


def _web_address(env: Mapping[str, str]) -> tuple[str, int]:
    """(BIND, PORT) for gunicorn; an IPv6 address in brackets."""
    reader = _reader(env)
    bind = reader.str("BIND", default="127.0.0.1")
    if ":" in bind and not bind.startswith("["):
        bind = f"[{bind}]"
    return bind, reader.int("PORT", default=8000)


def runall_services(env: Mapping[str, str]) -> list[Service]:
    """web, worker and beat as configured by PORT, BIND, WEB_CONCURRENCY and WORKER_CONCURRENCY."""
    reader = _reader(env)
    bind, port = _web_address(env)
    python = sys.executable
    return [
        Service(
            "web",
            [
                python,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                f"--bind={bind}:{port}",
                f"--workers={reader.int('WEB_CONCURRENCY', default=2)}",
                "--access-logfile=-",
                # The access log masks webhook tokens (secret path segments).
                "--logger-class=config.logmasking.MaskingGunicornLogger",
                "--graceful-timeout=20",
                # gunicorn's longest request line (default 4094 bytes, answered with an HTML 400
                # past it); large sets go in a POST body (POST /api/v1/availability/).
                "--limit-request-line=8190",
            ],
        ),
        Service(
            "worker",
            [
                python,
                "-m",
                "celery",
                "--app=config",
                "worker",
                f"--loglevel={reader.str('LOG_LEVEL', default='INFO')}",
                f"--concurrency={reader.int('WORKER_CONCURRENCY', default=2)}",
            ],
        ),
        Service(
            "beat",
            [
                python,
                "-m",
                "celery",
                "--app=config",
                "beat",
                f"--loglevel={reader.str('LOG_LEVEL', default='INFO')}",
                "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
            ],
        ),
    ]


def _free_port(host: str = "127.0.0.1") -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def demo_services(env: Mapping[str, str], *, web_url: str) -> list[Service]:
    """DEMO=1: the fake Shopify and Amazon stores on loopback (DEMO_SHOPIFY_PORT /
    DEMO_AMAZON_PORT, else free ports; the fake Amazon's ORDER_CHANGE queue on
    DEMO_AMAZON_SQS_PORT, else a free port), the optional stores DEMO_STORES names
    (``channels_app.demo.stores``; each on DEMO_<NAME>_PORT, else a free port) and the one-shot
    ``demo_setup`` that links them all."""
    from channels_app.demo.stores import demo_stores_parse

    reader = _reader(env)
    python = sys.executable
    urls = {}
    services = []
    sqs_port = reader.int("DEMO_AMAZON_SQS_PORT", default=0) or _free_port()
    extra = [store.name for store in demo_stores_parse(value=env.get("DEMO_STORES", ""))]
    for store in ("shopify", "amazon", *extra):
        port = reader.int(f"DEMO_{store.upper()}_PORT", default=0) or _free_port()
        urls[store] = f"http://127.0.0.1:{port}"
        argv = [python, "-m", "channels_app.demo.fakes", store, f"--port={port}"]
        services.append(Service(store, argv + ([f"--sqs-port={sqs_port}"] if store == "amazon" else [])))
    setup = [
        python,
        str(BASE_DIR / "manage.py"),
        "demo_setup",
        f"--shopify-url={urls['shopify']}",
        f"--amazon-url={urls['amazon']}",
        f"--amazon-sqs-port={sqs_port}",
        f"--web-url={web_url}",
        *(f"--store={name}={urls[name]}" for name in extra),
    ]
    return [*services, Service("demo", setup, oneshot=True)]


class _Prefixer:
    """Copies children's output to ``out`` line by line, each line prefixed with a name."""

    def __init__(self, out: BinaryIO, width: int) -> None:
        self.out = out
        self.width = width
        self.partial: dict[str, bytes] = {}

    def feed(self, name: str, data: bytes) -> None:
        lines = (self.partial.pop(name, b"") + data).split(b"\n")
        if lines[-1]:
            self.partial[name] = lines[-1]
        self._write(name, lines[:-1])

    def close(self, name: str) -> None:
        rest = self.partial.pop(name, b"")
        if rest:
            self._write(name, [rest])

    def _write(self, name: str, lines: list[bytes]) -> None:
        if not lines:
            return
        prefix = f"{name:<{self.width}} | ".encode()
        self.out.write(b"".join(prefix + line.rstrip(b"\r") + b"\n" for line in lines))
        self.out.flush()


def _out() -> BinaryIO:
    return sys.stdout.buffer


def _say(message: str, width: int = 6) -> None:
    _Prefixer(_out(), width)._write("runall", [message.encode()])


def _port_open(address: tuple[str, int]) -> bool:
    host, port = address
    try:
        with socket.create_connection((host.strip("[]"), port), timeout=0.2):
            return True
    except OSError:
        return False


class _Banner:
    """Lines shown once the web answers and the children's start-up output has died down."""

    def __init__(self, lines: Sequence[str], address: tuple[str, int] | None) -> None:
        self.lines, self.address = list(lines), address
        self.up_since: float | None = None
        self.checked = 0.0

    def due(self, last_output: float) -> bool:
        if not self.lines or self.address is None:
            return False
        now = time.monotonic()
        if self.up_since is None:
            if now - self.checked < 0.5:
                return False
            self.checked = now
            if not _port_open(self.address):
                return False
            self.up_since = now
        return now - last_output >= BANNER_QUIET or now - self.up_since >= BANNER_WAIT

    def show(self, width: int) -> None:
        rule = "=" * 72
        for line in (rule, *self.lines, rule):
            _say(line, width)
        self.lines = []


def _exit_code(returncode: int) -> int:
    """A child's exit as runall's non-zero exit code."""
    if returncode < 0:
        return 128 - returncode  # killed by a signal
    return returncode or 1


def _kill_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def supervise(
    services: Sequence[Service],
    *,
    env: Mapping[str, str],
    stop_timeout: float = STOP_TIMEOUT,
    banner: Sequence[str] = (),
    web_address: tuple[str, int] | None = None,
) -> int:
    """Run ``services`` together until a signal or until one exits; return runall's exit code.

    Each child leads its own process group, so a terminal's Ctrl-C reaches only runall, which
    then stops the children in order: SIGTERM to each, SIGKILL to whatever is left of their
    groups after ``stop_timeout`` seconds (or at once on a second signal). ``banner`` is shown
    once ``web_address`` accepts connections and the children have been quiet a moment.
    """
    width = max(len("runall"), *(len(s.name) for s in services))
    prefixer = _Prefixer(_out(), width)
    signals: list[int] = []

    def on_signal(signum, frame):
        signals.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    procs: dict[str, subprocess.Popen] = {}
    oneshots = {s.name for s in services if s.oneshot}
    selector = selectors.DefaultSelector()
    exit_code = 0
    stopping_since: float | None = None
    seen_signals = 0
    reported: set[str] = set()
    pending_banner = _Banner(banner, web_address)
    last_output = time.monotonic()
    try:
        for service in services:
            proc = subprocess.Popen(
                list(service.argv),
                env=dict(env),
                cwd=BASE_DIR,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            procs[service.name] = proc
            os.set_blocking(proc.stdout.fileno(), False)
            selector.register(proc.stdout, selectors.EVENT_READ, service.name)
            _say(f"started {service.name} (pid {proc.pid}): {' '.join(service.argv[1:])}", width)
        open_pipes = len(procs)
        while True:
            for key, _ in selector.select(timeout=0.2):
                try:
                    data = os.read(key.fd, 65536)
                except BlockingIOError:
                    continue
                if data:
                    prefixer.feed(key.data, data)
                    last_output = time.monotonic()
                else:  # end of file
                    prefixer.close(key.data)
                    selector.unregister(key.fileobj)
                    open_pipes -= 1
            exited = [n for n, p in procs.items() if p.poll() is not None and n not in reported]
            for name in exited:
                reported.add(name)
                if stopping_since is not None or signals:
                    _say(f"{name} stopped (exit code {procs[name].returncode})", width)
                elif name in oneshots and procs[name].returncode == 0:
                    _say(f"{name} done", width)
            exited = [n for n in exited if not (n in oneshots and procs[n].returncode == 0)]
            if stopping_since is None and not signals and pending_banner.due(last_output):
                pending_banner.show(width)
            if stopping_since is None:
                if signals:
                    names = ", ".join(procs)
                    _say(f"{signal.Signals(signals[-1]).name}: stopping {names}", width)
                elif exited:
                    name, proc = exited[0], procs[exited[0]]
                    exit_code = _exit_code(proc.returncode)
                    _say(f"{name} exited with code {proc.returncode}: stopping the others", width)
                else:
                    continue
                stopping_since = time.monotonic()
                seen_signals = len(signals)
                for proc in procs.values():
                    if proc.poll() is None:
                        proc.send_signal(signal.SIGTERM)
                continue
            alive = [p for p in procs.values() if p.poll() is None]
            overdue = time.monotonic() - stopping_since > stop_timeout
            if alive and (overdue or len(signals) > seen_signals):
                _say("killing " + ", ".join(n for n, p in procs.items() if p in alive), width)
                for proc in alive:
                    _kill_group(proc, signal.SIGKILL)
                seen_signals = len(signals)
            if not alive:
                # Leftovers of a child's group (e.g. workers of a killed master) go too.
                for proc in procs.values():
                    _kill_group(proc, signal.SIGKILL)
                if open_pipes == 0 or time.monotonic() - stopping_since > stop_timeout + 5:
                    break
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                _kill_group(proc, signal.SIGKILL)
                proc.wait()
            proc.stdout.close()
        selector.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    _say(f"stopped (exit code {exit_code})", width)
    return exit_code


def _setup_step(argv: Sequence[str], env: Mapping[str, str]) -> list[str]:
    """Run one preparation command in the foreground and return its output lines; if it fails,
    show them (prefixed "setup") and exit."""
    proc = subprocess.Popen(
        list(argv), env=dict(env), cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        output = proc.stdout.read()
        returncode = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait()
        raise
    finally:
        proc.stdout.close()
    lines = output.decode(errors="replace").splitlines()
    if returncode != 0:
        _Prefixer(_out(), len("runall"))._write("setup", [line.encode() for line in lines])
        _say(f"{' '.join(argv[1:])} failed with code {returncode}")
        raise SystemExit(_exit_code(returncode))
    return lines


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    """Prepare (migrate, collectstatic, ensure_admin), then supervise web, worker and beat."""
    env_file = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
    if env_file and Path(env_file).is_file():
        environ.Env.read_env(env_file)  # like the settings: the environment wins
    env = runall_environment(os.environ)
    problem = runall_exposure_problem(env)
    if problem:
        _say(f"refusing to start: {problem}")
        return 2
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        _say(f"VAR_DIR={env['VAR_DIR']} DEBUG={env['DEBUG']}")
        if not os.environ.get("SECRET_KEY"):
            _say(f"SECRET_KEY not set: using the one kept in {env['VAR_DIR']}/secret_key")
        _say("preparing the database, static files and the admin user (output shown if one fails)")
        migrated = _setup_step([*manage, "migrate", "--noinput"], env)
        applied = sum(1 for line in migrated if line.strip().startswith("Applying "))
        _say(f"database ready ({applied} migration(s) applied)")
        _setup_step([*manage, "createcachetable"], env)  # the API throttles' table without Redis
        _setup_step([*manage, "collectstatic", "--noinput", "--verbosity=0"], env)
        admin_lines = _setup_step([*manage, "ensure_admin"], env)
    except KeyboardInterrupt:
        _say("interrupted while preparing")
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    bind, port = _web_address(env)
    host = "127.0.0.1" if bind in ("0.0.0.0", "[::]") else bind  # noqa: S104 - a comparison
    banner = [
        f"  Stock master is up.  Admin (dashboard): http://{host}:{port}/admin/",
        f"  API docs: http://{host}:{port}/api/docs/   Redoc: http://{host}:{port}/api/redoc/",
        *(f"  {line}" for line in admin_lines),
    ]
    services = runall_services(env)
    if _reader(env).bool("DEMO", default=False):
        try:
            demo = demo_services(env, web_url=f"http://{host}:{port}")
        except ValueError as exc:  # an unknown name in DEMO_STORES
            _say(f"DEMO_STORES: {exc}")
            return 2
        services += demo
        names = ", ".join(service.name for service in demo if service.name != "demo")
        banner.insert(2, f"  DEMO: fake stores {names}; buyer page http://{host}:{port}/demo/")
    _say(f"starting; the admin URL follows once the web answers (http://{host}:{port}/admin/)")
    return supervise(services, env=env, banner=banner, web_address=(host, port))


if __name__ == "__main__":
    sys.exit(main())
