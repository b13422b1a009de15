"""``python -m config.devservices --embedded``: the command runs on an SQLite file and the
file-system broker in a temporary folder, which is gone afterwards; the exit code is the command's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("DATABASE_URL", "CELERY_BROKER_URL", "VAR_DIR", "REDIS_URL")
SHOW = f"import json, os, sys; print(json.dumps({{k: os.environ.get(k) for k in {NAMES!r}}})); sys.exit(3)"


def test_embedded_runs_the_command_on_sqlite_and_the_file_system_broker_in_a_throwaway_folder():
    done = subprocess.run(
        [sys.executable, "-m", "config.devservices", "--embedded", "--", sys.executable, "-c", SHOW],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "REDIS_URL": "redis://127.0.0.1:1/0"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    seen = json.loads(done.stdout)
    var_dir = Path(seen["VAR_DIR"])
    assert done.returncode == 3
    assert seen["DATABASE_URL"] == f"sqlite:///{var_dir / 'db.sqlite3'}"
    assert seen["CELERY_BROKER_URL"] == "filesystem://localhost/" and seen["REDIS_URL"] is None
    assert var_dir.name == "var" and not var_dir.parent.exists()
    assert "PostgreSQL" not in done.stderr
