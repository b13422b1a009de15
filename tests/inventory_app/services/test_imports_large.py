"""Catalog CSV import at volume: thousands of SKUs and stock rows on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from inventory_app.models import SKU, MovementReason, StockLevel, StockMovement, StockOperation
from inventory_app.services.imports import catalog_import_csv
from tests.factories import LocationFactory
from tests.helpers import large_catalog_csv as large_csv

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

SKUS = 3000  # x 2 locations = 6,000 stock rows (SQLite refused ~1,000 before)


def test_thousands_of_stock_rows_import_with_exact_levels():
    wh1, wh2 = LocationFactory(code="WH1"), LocationFactory(code="WH2")

    report = catalog_import_csv(content=large_csv(skus=SKUS), dry_run=False)

    assert report.errors == []
    assert (report.applied, report.rows, report.skus_created, report.stock_rows) == (True, 6000, 3000, 6000)
    assert SKU.objects.filter(code__startswith="BULK-").count() == SKUS
    levels = dict(StockLevel.objects.filter(location=wh1).values_list("sku__code", "on_hand")) | {
        f"{code}@2": n
        for code, n in StockLevel.objects.filter(location=wh2).values_list("sku__code", "on_hand")
    }
    assert levels["BULK-000049"] == 49
    assert levels["BULK-000049@2"] == 49 % 7 + 1
    assert sum(StockLevel.objects.filter(location=wh1).values_list("on_hand", flat=True)) == sum(
        i % 50 for i in range(SKUS)
    )
    assert sum(StockLevel.objects.filter(location=wh2).values_list("on_hand", flat=True)) == sum(
        i % 7 + 1 for i in range(SKUS)
    )
    # Zero counts on new levels move nothing: one movement per non-zero figure, one operation per
    # 5,000 of them.
    nonzero = sum(1 for i in range(SKUS) if i % 50) + SKUS
    assert StockMovement.objects.filter(reason=MovementReason.IMPORT).count() == nonzero == 5940
    assert StockOperation.objects.count() == 2


def test_reimporting_thousands_of_rows_changes_nothing():
    LocationFactory(code="WH1"), LocationFactory(code="WH2")
    content = large_csv(skus=1500)
    catalog_import_csv(content=content, dry_run=False)
    movements = StockMovement.objects.count()

    report = catalog_import_csv(content=content, dry_run=False)

    assert (report.applied, report.skus_created, report.skus_updated) == (True, 0, 0)
    assert StockMovement.objects.count() == movements
    assert StockOperation.objects.count() == 1


def test_a_bad_row_among_thousands_imports_nothing():
    LocationFactory(code="WH1"), LocationFactory(code="WH2")
    content = large_csv(skus=1500) + "BAD,Bad,,NOWHERE,3\n"

    report = catalog_import_csv(content=content, dry_run=False)

    assert report.applied is False
    assert [(e.row, e.column) for e in report.errors] == [(3002, "location")]
    assert SKU.objects.count() == 0
    assert StockMovement.objects.count() == 0
