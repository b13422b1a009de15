"""Migration 0024 (and channels_app 0014): on PostgreSQL the admin's searches of SKUs, orders and
listings read trigram indexes and the COGS totals the covering ledger index; on SQLite nothing."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from channels_app.models import Listing
from inventory_app.models import SKU, MovementReason, Order, OrderLine, StockMovement

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
    searched = [
        (SKU, "sku", ("code", "barcode", "name")),
        (Order, "order", ("external_ref", "customer_name", "customer_email")),
        (OrderLine, "orderline", ("external_sku",)),
        (Listing, "listing", ("external_id", "external_sku", "title")),  # channels_app 0014
    ]
    for model, prefix, fields in searched:
        for field in fields:
            plan = _plan(model.objects.filter(**{f"{field}__icontains": "mug-01"}).order_by().values("pk"))
            assert f"{prefix}_{field}_trgm_idx" in plan
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
    assert not [name for name in names if name.endswith("_trgm_idx")]
