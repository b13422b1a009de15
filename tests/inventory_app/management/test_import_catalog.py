"""The import_catalog management command."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from inventory_app.models import SKU, StockLevel
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("import_catalog", *args, stdout=out)
    return out.getvalue()


def test_import_writes_and_prints_the_report(tmp_path):
    LocationFactory(code="WH1")
    path = tmp_path / "catalog.csv"
    path.write_bytes("\ufeffsku;name;location;quantity\nA1;Alpha;WH1;6\n".encode())

    output = _run(str(path))

    assert output == "imported: 1 rows, 1 SKUs created, 0 updated, 1 stock rows\n"
    assert StockLevel.objects.get(sku__code="A1").on_hand == 6


def test_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text("sku,name\nA1,Alpha\n")

    output = _run(str(path), "--dry-run", "--json")

    assert json.loads(output) == {
        "dry_run": True,
        "ok": True,
        "applied": False,
        "rows": 1,
        "skus_created": 1,
        "skus_updated": 0,
        "stock_rows": 0,
        "errors": [],
    }
    assert SKU.objects.count() == 0


def test_errors_are_listed_and_the_command_fails(tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text("sku,name,quantity\nA1,Alpha,x\n")
    out = StringIO()

    with pytest.raises(CommandError, match="1 error"):
        call_command("import_catalog", str(path), stdout=out)

    assert out.getvalue() == (
        "row 2, quantity: 'x' is not a whole number\n"
        "not imported: 1 rows, 1 SKUs to create, 0 to update, 0 stock rows\n"
    )
    assert SKU.objects.count() == 0


def test_unreadable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("sku,name\nA1,Caf\xe9\n".encode("latin-1"))

    with pytest.raises(CommandError, match="not UTF-8"):
        _run(str(path))
    with pytest.raises(CommandError, match="cannot read"):
        _run(str(tmp_path / "missing.csv"))
