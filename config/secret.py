"""The development SECRET_KEY kept in VAR_DIR/secret_key (embedded set-up and tests only), and
the owner-only permissions of VAR_DIR and the embedded database."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def dev_secret_key(var_dir: Path) -> str:
    """Return the key stored in ``var_dir/secret_key``, creating it (mode 0600) on first use.

    Safe when several processes start at once: the file is created exclusively and whoever
    loses the race reads the winner's key.
    """
    var_dir_private(var_dir)
    key_file = var_dir / "secret_key"
    with contextlib.suppress(FileExistsError):
        tmp = var_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(64))
            # link() fails if another process created the key first: then theirs is used.
            os.link(tmp, key_file)
        finally:
            tmp.unlink(missing_ok=True)
    key = key_file.read_text().strip()
    if not key:
        raise RuntimeError(f"{key_file} is empty; delete it to generate a new key")
    return key


def var_dir_private(var_dir: Path) -> None:
    """Create ``var_dir`` readable by its owner only (0700), tightening an existing one."""
    var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):
        var_dir.chmod(0o700)


def private_file(path: Path) -> None:
    """Create ``path`` (empty) with mode 0600 if missing, else tighten it to 0600; SQLite gives its
    -wal and -shm files the database file's mode."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            each.chmod(0o600)
