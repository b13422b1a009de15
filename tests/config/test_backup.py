"""Backups restore into a fresh database with the ledger intact: PostgreSQL (pg_dump/pg_restore)
and the embedded SQLite database (online backup API, through the management commands)."""

from __future__ import annotations

import os
import sqlite3
import stat
import uuid
from decimal import Decimal

import psycopg
import pytest
from django.db import connection

from config.backup import BackupError, backup_create, backup_restore
from inventory_app.models import SalesChannel
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.stock import stock_adjust, stock_receive
from tests.config.helpers import config_free_env, run_manage, run_python
from tests.factories import LocationFactory, SKUFactory

# Per level: on hand and committed against the sums of its movements, and its newest movement's
# after-values; a row is a broken invariant.
BROKEN_LEVELS = """
SELECT l.id FROM inventory_app_stocklevel l
WHERE l.on_hand <> COALESCE((SELECT SUM(m.on_hand_delta) FROM inventory_app_stockmovement m
                             WHERE m.sku_id = l.sku_id AND m.location_id = l.location_id), 0)
   OR l.committed <> COALESCE((SELECT SUM(m.committed_delta) FROM inventory_app_stockmovement m
                               WHERE m.sku_id = l.sku_id AND m.location_id = l.location_id), 0)
   OR l.on_hand <> (SELECT m.on_hand_after FROM inventory_app_stockmovement m
                    WHERE m.sku_id = l.sku_id AND m.location_id = l.location_id ORDER BY m.id DESC LIMIT 1)
"""
COUNTS = (
    "SELECT (SELECT COUNT(*) FROM inventory_app_stockmovement), "
    "(SELECT SUM(on_hand) FROM inventory_app_stocklevel), "
    "(SELECT SUM(committed) FROM inventory_app_stocklevel)"
)


def _ledger_make() -> None:
    mug, plate = SKUFactory(code="MUG"), SKUFactory(code="PLATE")
    main, back = LocationFactory(code="MAIN"), LocationFactory(code="BACK")
    stock_receive(sku=mug, location=main, quantity=10, unit_cost=Decimal("2.00"))
    stock_receive(sku=plate, location=back, quantity=4, unit_cost=Decimal("1.00"))
    stock_adjust(sku=plate, location=back, delta=-1, reason_detail="damaged")
    order, _ = order_create(
        channel=SalesChannel.objects.get(code="manual"),
        data=OrderInput(external_ref="B-1", lines=[OrderLineInput(sku_code="MUG", quantity=3)]),
    )
    order_create(
        channel=SalesChannel.objects.get(code="manual"),
        data=OrderInput(external_ref="B-2", lines=[OrderLineInput(sku_code="MUG", quantity=2)]),
    )
    order_ship(order=order)


def _pg(database: dict, name: str) -> psycopg.Connection:
    return psycopg.connect(
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
        dbname=name,
        autocommit=True,
    )


@pytest.mark.django_db(transaction=True)
def test_a_postgresql_backup_restores_into_a_fresh_database_with_the_ledger_intact(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    _ledger_make()
    database = dict(connection.settings_dict)
    with connection.cursor() as cursor:
        cursor.execute(COUNTS)
        expected = cursor.fetchone()
    fresh = f"restore_{uuid.uuid4().hex[:12]}"

    path = backup_create(database=database, output=tmp_path / "stock.dump")
    with _pg(database, database["NAME"]) as admin:
        admin.execute(f'CREATE DATABASE "{fresh}"')
    try:
        backup_restore(database={**database, "NAME": fresh}, path=path)
        with _pg(database, fresh) as restored:
            assert restored.execute(BROKEN_LEVELS).fetchall() == []
            assert restored.execute(COUNTS).fetchone() == expected
            with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="append-only"):
                restored.execute("DELETE FROM inventory_app_stockmovement")
    finally:
        with _pg(database, database["NAME"]) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
    assert expected == (6, 10, 2) and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_missing_backup_is_refused(tmp_path):
    with pytest.raises(BackupError, match="No backup"):
        backup_restore(database={"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}, path=tmp_path / "none")


SQLITE_LEDGER = """
import django
django.setup()
from tests.config.test_backup import _ledger_make
_ledger_make()
"""


def test_an_sqlite_backup_restores_into_a_fresh_database_with_the_ledger_intact(tmp_path):
    source = {**config_free_env(dict(os.environ), tmp_path / "var"), "DEBUG": "1"}
    target = {**config_free_env(dict(os.environ), tmp_path / "fresh"), "DEBUG": "1"}
    backup = tmp_path / "stock.sqlite3"

    steps = [
        run_manage(["migrate", "--noinput"], source, timeout=300),
        run_python(SQLITE_LEDGER, source),
        run_manage(["db_backup", "--output", str(backup)], source),
        run_manage(["migrate", "--noinput"], target, timeout=300),  # a fresh, empty database
        run_manage(["db_restore", "--noinput", str(backup)], target),
    ]

    for step in steps:
        assert step.returncode == 0, step.stdout + step.stderr[-2000:]
    original = sqlite3.connect(tmp_path / "var" / "db.sqlite3")
    restored = sqlite3.connect(tmp_path / "fresh" / "db.sqlite3")
    try:
        assert restored.execute(BROKEN_LEVELS).fetchall() == []
        assert restored.execute(COUNTS).fetchone() == original.execute(COUNTS).fetchone() == (6, 10, 2)
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            restored.execute("DELETE FROM inventory_app_stockmovement")
    finally:
        original.close()
        restored.close()
