"""Helpers for the configuration tests: subprocess runners, a clean environment, free ports."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

# Variables the settings, runall or ensure_admin read: a subprocess gets only what a test sets.
CONFIG_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "CONN_MAX_AGE",
    "DB_LOCK_TIMEOUT_MS",
    "VAR_DIR",
    "MEDIA_ROOT",
    "TIME_ZONE",
    "LOG_LEVEL",
    "FIELD_ENCRYPTION_KEYS",
    "PORT",
    "BIND",
    "WEB_CONCURRENCY",
    "WORKER_CONCURRENCY",
    "REDIS_URL",
    "ENV_FILE",
    "DJANGO_SETTINGS_MODULE",
}
CONFIG_PREFIXES = ("CELERY_", "SECURE_", "SESSION_", "CSRF_", "ADMIN_", "API_THROTTLE_", "AXES_")


def config_free_env(base: dict[str, str], var_dir: Path) -> dict[str, str]:
    """``base`` without any configuration variable, with ``var_dir`` and no .env file."""
    env = {
        key: value
        for key, value in base.items()
        if key not in CONFIG_VARIABLES and not key.startswith(CONFIG_PREFIXES)
    }
    env["VAR_DIR"] = str(var_dir)
    env["ENV_FILE"] = ""
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return env


def run_python(code: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``python -c code`` in the project folder with exactly ``env``."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_manage(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``manage.py args`` in the project folder with exactly ``env``."""
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def closed_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
