"""Throwaway PostgreSQL and Redis servers for the test suite and the benchmarks.

    python -m config.devservices [--redis | --embedded] [--chromium] -- COMMAND ...

starts a private PostgreSQL cluster (and Redis with ``--redis``) on free loopback ports in a
temporary folder, runs COMMAND with DATABASE_URL (and REDIS_URL / CELERY_BROKER_URL) pointing at
them, then stops the servers and deletes the folder, whatever COMMAND did. The exit code is
COMMAND's. Missing server binaries are installed from Debian's packages when running as root;
with ``--chromium`` so is Debian's chromium (the browser tests drive it; its path is passed on
as CHROMIUM_PATH).

``--embedded`` starts no server: COMMAND runs on the embedded default of ``make run``, an SQLite
file and the Celery file-system broker, both in the temporary folder (VAR_DIR).
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def _log(message: str) -> None:
    print(f"[devservices] {message}", file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _apt_install(*packages: str) -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(f"[devservices] please install {' '.join(packages)} (not root, cannot apt-get)")
    _log(f"installing {' '.join(packages)} from Debian packages")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], check=True, env=env
    )


CHROMIUM = "/usr/bin/chromium"


def chromium_ensure() -> str:
    """Debian's chromium for the browser tests, installed from Debian's packages when missing."""
    if not Path(CHROMIUM).exists():
        _apt_install("chromium")
    return CHROMIUM


def _pg_bindir() -> Path:
    for pattern in ("/usr/lib/postgresql/*/bin",):
        found = sorted(glob.glob(pattern), key=lambda p: int(Path(p).parent.name), reverse=True)
        for candidate in found:
            if (Path(candidate) / "initdb").exists():
                return Path(candidate)
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    _apt_install("postgresql")
    return _pg_bindir()


def _as_owner(cmd: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *cmd] if owner else cmd


def _wait_port(port: int, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"[devservices] server on port {port} exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise SystemExit(f"[devservices] nothing listens on port {port} after {timeout}s")


@contextlib.contextmanager
def postgres_server(workdir: Path) -> Iterator[str]:
    """Run a private PostgreSQL cluster; yield its DATABASE_URL."""
    bindir = _pg_bindir()
    owner = None
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres system user
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        owner = "postgres"
    data, sock = workdir / "pgdata", workdir / "pgsock"
    data.mkdir()
    sock.mkdir()
    if owner:
        shutil.chown(workdir, owner)
        shutil.chown(data, owner)
        shutil.chown(sock, owner)
    port = _free_port()
    subprocess.run(
        _as_owner(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "stockmaster",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "-N",
            ],
            owner,
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = (
        f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=250 -c shared_buffers=256MB"
    )
    log = workdir / "postgres.log"
    subprocess.run(
        _as_owner(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "start",
            ],
            owner,
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    _log(f"PostgreSQL ({bindir.parent.name}) on 127.0.0.1:{port}")
    try:
        subprocess.run(
            _as_owner(
                [
                    str(bindir / "createdb"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-U",
                    "stockmaster",
                    "stockmaster",
                ],
                owner,
            ),
            check=True,
        )
        yield f"postgres://stockmaster@127.0.0.1:{port}/stockmaster"
    finally:
        subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], owner),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        _log("PostgreSQL stopped")


@contextlib.contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """Run a private Redis server; yield its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        _apt_install("redis-server")
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = _free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            "--daemonize",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_port(port, 20, proc)
        _log(f"Redis on 127.0.0.1:{port}")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        _log("Redis stopped")


def main(argv: list[str] | None = None) -> int:
    """Start the servers, run the command, stop the servers; return the command's exit code."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--redis", action="store_true", help="also start a Redis server")
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="no servers: SQLite and the file-system broker in a temp folder",
    )
    parser.add_argument("--chromium", action="store_true", help="install chromium if missing")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command after --")

    def _terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    workdir = Path(tempfile.mkdtemp(prefix="stockmaster-services-"))
    try:
        with contextlib.ExitStack() as stack:
            env = dict(os.environ)
            if args.chromium:
                env["CHROMIUM_PATH"] = chromium_ensure()
            if args.embedded:
                env.pop("REDIS_URL", None)
                env.update(
                    VAR_DIR=str(workdir / "var"),
                    DATABASE_URL=f"sqlite:///{workdir / 'var' / 'db.sqlite3'}",
                    CELERY_BROKER_URL="filesystem://localhost/",
                )
                _log(f"embedded: SQLite and the file-system broker in {workdir / 'var'}")
            else:
                env["DATABASE_URL"] = stack.enter_context(postgres_server(workdir))
            if args.redis and not args.embedded:
                redis_url = stack.enter_context(redis_server(workdir))
                env["REDIS_URL"] = redis_url
                env["CELERY_BROKER_URL"] = redis_url
            try:
                return subprocess.call(command, env=env)
            except KeyboardInterrupt:
                return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
