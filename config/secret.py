"""The development SECRET_KEY kept in VAR_DIR/secret_key (embedded set-up and tests only)."""

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
    var_dir.mkdir(parents=True, exist_ok=True)
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
