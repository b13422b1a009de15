"""The embedded default (SQLite in VAR_DIR): the ledger is append-only there too, ``manage.py
flush`` still empties it (as TRUNCATE does on PostgreSQL), and the database and VAR_DIR are
readable by their owner only."""

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
    "DELETE FROM inventory_app_stockmovement",
    "UPDATE inventory_app_stockoperation SET note = 'changed'",
    "DELETE FROM inventory_app_stockoperation",
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
    assert written.stdout.strip() == "['refused', 'refused', 'refused', 'refused'] 3 ''"
    database = tmp_path / "var" / "db.sqlite3"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700


AFTER_FLUSH = """
import django
django.setup()
from django.db import IntegrityError, connection, transaction
from inventory_app.models import StockMovement
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

emptied = StockMovement.objects.count()
stock_receive(sku=SKUFactory(code="MUG"), location=LocationFactory(code="WH"), quantity=3)
try:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM inventory_app_stockmovement")
    outcome = "allowed"
except IntegrityError as exc:
    outcome = "refused" if "append-only" in str(exc) else str(exc)
print(emptied, outcome, StockMovement.objects.count())
"""


def test_sqlite_flush_empties_the_ledger_and_deletes_stay_refused_after_it(tmp_path):
    env = {**config_free_env(dict(os.environ), tmp_path / "var"), "DEBUG": "1"}

    migrated = run_manage(["migrate", "--noinput"], env, timeout=300)
    filled = run_python(LEDGER_WRITES, env)
    flushed = run_manage(["flush", "--noinput"], env)
    after = run_python(AFTER_FLUSH, env)

    for step in (migrated, filled, flushed, after):
        assert step.returncode == 0, step.stderr[-2000:]
    assert after.stdout.strip() == "0 refused 1"
