"""The embedded default (SQLite in VAR_DIR): ledger rows cannot be changed there either, and the
database and VAR_DIR are readable by their owner only.

SQLite has no TRUNCATE: ``manage.py flush`` (and a test database's flush) deletes rows with DELETE,
so there the triggers refuse UPDATE only; no code path deletes ledger rows (read-only admin, no
delete service, PROTECT foreign keys)."""

from __future__ import annotations

import os
import stat

from tests.config.helpers import config_free_env, run_manage, run_python

LEDGER_WRITES = """
import django
django.setup()
from django.db import IntegrityError, connection, transaction
from inventory_app.models import StockMovement, StockOperation
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

operation = stock_receive(sku=SKUFactory(code="MUG"), location=LocationFactory(code="WH"), quantity=3)
outcomes = []
for statement in (
    "UPDATE inventory_app_stockmovement SET on_hand_delta = 99",
    "UPDATE inventory_app_stockoperation SET note = 'changed'",
):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
        outcomes.append("allowed")
    except IntegrityError as exc:
        outcomes.append("refused" if "append-only" in str(exc) else str(exc))
print(outcomes, StockMovement.objects.get().on_hand_delta, repr(StockOperation.objects.get().note))
"""


def test_sqlite_ledger_is_append_only_and_var_files_are_private(tmp_path):
    env = {**config_free_env(dict(os.environ), tmp_path / "var"), "DEBUG": "1"}

    migrated = run_manage(["migrate", "--noinput"], env, timeout=300)
    written = run_python(LEDGER_WRITES, env)

    assert migrated.returncode == 0, migrated.stderr[-2000:]
    assert written.returncode == 0, written.stderr[-2000:]
    assert written.stdout.strip() == "['refused', 'refused'] 3 ''"
    database = tmp_path / "var" / "db.sqlite3"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
