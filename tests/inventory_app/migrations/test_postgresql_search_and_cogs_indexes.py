"""Migration 0024: on PostgreSQL the admin's SKU search reads trigram indexes and the COGS totals
read the covering ledger index; on SQLite it changes nothing."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from inventory_app.models import SKU, MovementReason, StockMovement

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        # A test table is tiny: leave the planner only bitmap scans, which need a matching index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        return queryset.explain()


def test_sku_search_and_cogs_totals_use_the_postgresql_indexes():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL indexes; the SQLite side is the next test")
    for field in ("code", "barcode", "name"):
        plan = _plan(SKU.objects.filter(**{f"{field}__icontains": "mug-01"}).order_by().values("pk"))
        assert f"sku_{field}_trgm_idx" in plan
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'movement_reason_created_idx'")
        (definition,) = cursor.fetchone()
    assert definition == (
        "CREATE INDEX movement_reason_created_idx ON public.inventory_app_stockmovement USING btree"
        " (reason, created_at) INCLUDE (order_line_id, on_hand_delta, value_delta)"
    )
    window = StockMovement.objects.filter(reason=MovementReason.SHIPMENT).values_list("value_delta")
    assert "movement_reason_created_idx" in _plan(window)


def test_on_sqlite_the_migration_adds_no_index():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite side of the migration")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        names = {row[0] for row in cursor.fetchall()}

    assert "movement_reason_created_idx" in names  # the model's plain index
    assert not {"sku_code_trgm_idx", "sku_barcode_trgm_idx", "sku_name_trgm_idx"} & names
