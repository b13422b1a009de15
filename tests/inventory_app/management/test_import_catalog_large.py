"""The import_catalog command with 10,000 rows (it crashed on SQLite before)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from inventory_app.models import SKU, StockLevel
from tests.factories import LocationFactory
from tests.helpers import large_catalog_csv

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_ten_thousand_rows_import_from_the_command(tmp_path):
    wh1, wh2 = LocationFactory(code="WH1"), LocationFactory(code="WH2")
    path = tmp_path / "catalog.csv"
    path.write_text(large_catalog_csv(skus=5000))
    out = StringIO()

    call_command("import_catalog", str(path), stdout=out)

    assert out.getvalue() == "imported: 10000 rows, 5000 SKUs created, 0 updated, 10000 stock rows\n"
    assert SKU.objects.count() == 5000
    assert sum(StockLevel.objects.filter(location=wh1).values_list("on_hand", flat=True)) == sum(
        i % 50 for i in range(5000)
    )
    assert sum(StockLevel.objects.filter(location=wh2).values_list("on_hand", flat=True)) == sum(
        i % 7 + 1 for i in range(5000)
    )
