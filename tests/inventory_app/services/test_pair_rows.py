"""Rows of many (SKU, location) pairs: bounded statements, primary-key lock order."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory_app.models import SKU, StockLevel
from inventory_app.services.pair_rows import pairs_rows_locked, rows_in
from tests.factories import LocationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_thousands_of_pairs_come_back_exactly_in_primary_key_order():
    a, b = LocationFactory(), LocationFactory()
    skus = SKU.objects.bulk_create([SKU(code=f"P{i:05d}", name="p") for i in range(1500)])
    StockLevel.objects.bulk_create([StockLevel(sku=s, location=loc) for s in skus for loc in (a, b)])
    wanted = [(s.pk, a.pk) for s in skus] + [(s.pk, b.pk) for s in skus[::3]]

    with CaptureQueriesContext(connection) as queries:
        rows = pairs_rows_locked(queryset=StockLevel.objects.all(), pairs=wanted)

    assert sorted((r.sku_id, r.location_id) for r in rows) == sorted(wanted)
    assert [r.pk for r in rows] == sorted(r.pk for r in rows)
    assert len(queries) == 3 + 4  # 1,500 SKU ids in 3 chunks; 2,000 level ids in 4
    assert pairs_rows_locked(queryset=StockLevel.objects.all(), pairs=[]) == []


def test_rows_in_reads_any_number_of_values_in_chunks():
    SKU.objects.bulk_create([SKU(code=f"R{i:05d}", name="r") for i in range(1200)])

    codes = {
        s.code
        for s in rows_in(
            queryset=SKU.objects.all(), field="code", values=[f"R{i:05d}" for i in range(0, 1200, 1)]
        )
    }

    assert len(codes) == 1200
