"""Database backups: ``make backup`` / ``make restore`` (``manage.py db_backup`` / ``db_restore``).

PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot while the system runs) and
``pg_restore --clean --if-exists --single-transaction`` (all or nothing; the ledger's
append-only triggers come back with it). The embedded SQLite database: SQLite's online backup
API (``sqlite3.Connection.backup``), consistent while other processes write, in both
directions. Backups go to ``VAR_DIR/backups`` (owner-only, 0600 files) unless a path is given.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from config.secret import private_file, var_dir_private


class BackupError(Exception):
    """A backup or restore could not be made (tool missing or failing, file absent)."""


def _vendor(database: Mapping[str, Any]) -> str:
    engine = str(database.get("ENGINE", ""))
    if engine.endswith("sqlite3") or engine == "config.sqlite":
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"No backup method for {engine}")


def _pg_tool(name: str) -> str:
    """The newest server version's ``name`` (pg_dump must not be older than the server), else PATH."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[-3]))
    tool = found[-1] if found else shutil.which(name)
    if not tool:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return tool


def _pg_env(database: Mapping[str, Any]) -> dict[str, str]:
    """libpq's environment for ``database``: the password never appears on a command line."""
    env = {**os.environ}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if database.get(key):
            env[name] = str(database[key])
    env["PGDATABASE"] = str(database["NAME"])
    return env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _sqlite_copy(source: str | Path, target: str | Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)  # the online backup API: page by page, consistent while others write
    finally:
        dst.close()
        src.close()


def backup_default_path(*, database: Mapping[str, Any]) -> Path:
    """``VAR_DIR/backups/<database name>-<UTC time>.<dump|sqlite3>``."""
    folder = Path(settings.VAR_DIR) / "backups"
    var_dir_private(folder)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite3" if _vendor(database) == "sqlite" else "dump"
    return folder / f"{Path(str(database['NAME'])).stem}-{stamp}.{suffix}"


def backup_create(*, database: Mapping[str, Any], output: Path | None = None) -> Path:
    """Back ``database`` (a DATABASES entry) up to ``output`` (default: VAR_DIR/backups); the path."""
    path = Path(output) if output else backup_default_path(database=database)
    private_file(path)
    if _vendor(database) == "sqlite":
        _sqlite_copy(str(database["NAME"]), path)
    else:
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={path}"], _pg_env(database))
    path.chmod(0o600)
    return path


def backup_restore(*, database: Mapping[str, Any], path: Path) -> None:
    """Replace ``database``'s contents with the backup at ``path`` (all or nothing on PostgreSQL)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}")
    if _vendor(database) == "sqlite":
        _sqlite_copy(path, str(database["NAME"]))
        return
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={database['NAME']}",
            str(path),
        ],
        _pg_env(database),
    )
