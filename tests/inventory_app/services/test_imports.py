"""Catalog CSV import: validation, all-or-nothing writes, dry runs, re-imports, file dialects."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory_app.models import (
    SKU,
    BackorderPolicy,
    KitComponent,
    MovementReason,
    Product,
    StockLevel,
    StockMovement,
    StockOperation,
)
from inventory_app.services.imports import ImportRowError, catalog_import_csv
from inventory_app.services.ledger import StockChange, stock_apply
from tests.factories import LocationFactory, ProductFactory, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db

VALID = """\
sku,name,product,barcode,weight_grams,unit_cost,backorder,is_kit,components,location,quantity,active
TEE-S,Tee small,Tee,4000001,120,3.5,reject,no,,WH1,10,yes
TEE-S,,,,,,,,,WH2,4,
TEE-M,Tee medium,Tee,4000002,130.5,3.75,backorder,,,WH1,0,
PACK,Tee pack,,,,,,yes,TEE-S:2;TEE-M:1,,,
"""


def _levels() -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (lv.sku.code, lv.location.code): (lv.on_hand, lv.committed)
        for lv in StockLevel.objects.select_related("sku", "location")
    }


@pytest.fixture
def locations():
    return LocationFactory(code="WH1"), LocationFactory(code="WH2")


def test_valid_file_creates_skus_kits_levels_and_movements(locations):
    user = UserFactory()

    report = catalog_import_csv(content=VALID, dry_run=False, user=user)

    assert report.errors == []
    assert (report.ok, report.applied, report.rows) == (True, True, 4)
    assert (report.skus_created, report.skus_updated, report.stock_rows) == (3, 0, 3)
    tee_s, tee_m, pack = (SKU.objects.get(code=c) for c in ("TEE-S", "TEE-M", "PACK"))
    assert (tee_s.name, tee_s.barcode, tee_s.weight_grams, tee_s.default_unit_cost) == (
        "Tee small",
        "4000001",
        Decimal("120.00"),
        Decimal("3.5000"),
    )
    assert (tee_m.backorder_policy, tee_m.weight_grams) == (BackorderPolicy.BACKORDER, Decimal("130.50"))
    assert tee_s.product == tee_m.product
    assert list(Product.objects.values_list("name", flat=True)) == ["Tee"]
    assert (pack.is_kit, pack.product) == (True, None)
    assert sorted(KitComponent.objects.values_list("kit__code", "component__code", "quantity")) == [
        ("PACK", "TEE-M", 1),
        ("PACK", "TEE-S", 2),
    ]
    # TEE-M at 0 needs no movement (the level stays absent: nothing to record).
    assert _levels() == {("TEE-S", "WH1"): (10, 0), ("TEE-S", "WH2"): (4, 0)}
    operation = StockOperation.objects.get()
    assert (operation.reason, operation.user) == (MovementReason.IMPORT, user)
    assert sorted(operation.movements.values_list("sku__code", "location__code", "on_hand_delta")) == [
        ("TEE-S", "WH1", 10),
        ("TEE-S", "WH2", 4),
    ]


def test_dry_run_reports_counts_and_creates_nothing(locations):
    report = catalog_import_csv(content=VALID, dry_run=True)

    assert (report.ok, report.applied, report.dry_run) == (True, False, True)
    assert (report.skus_created, report.skus_updated, report.stock_rows) == (3, 0, 3)
    assert SKU.objects.count() == 0
    assert Product.objects.count() == 0
    assert KitComponent.objects.count() == 0
    assert StockLevel.objects.count() == 0
    assert StockOperation.objects.count() == 0


def test_one_bad_row_imports_nothing_and_lists_every_error(locations):
    SKUFactory(code="OLD", barcode="999")
    content = """sku,name,barcode,weight_grams,is_kit,components,location,quantity
A,Alpha,111,10,,,WH1,5
B,Beta,111,abc,,,WH9,-2
C,Gamma,999,,,,WH1,1
K,Kit,,,yes,A:1;NOPE:2,WH1,3
A,Alpha two,,,,,WH2,1
D,,,,no,A:1,,
E,Echo,,,,,,7
"""

    report = catalog_import_csv(content=content, dry_run=False)

    assert report.applied is False
    assert report.errors == [
        ImportRowError(3, "barcode", "barcode 111 is also given to A"),
        ImportRowError(3, "location", "unknown location WH9"),
        ImportRowError(3, "quantity", "'-2' is negative"),
        ImportRowError(3, "weight_grams", "'abc' is not a number"),
        ImportRowError(4, "barcode", "barcode 999 belongs to OLD"),
        ImportRowError(5, "components", "unknown component SKU NOPE"),
        ImportRowError(5, "quantity", "K is a kit: kits hold no stock"),
        ImportRowError(6, "name", "A: conflicts with row 2 (Alpha)"),
        ImportRowError(7, "components", "D is not a kit"),
        ImportRowError(7, "name", "D: a new SKU needs a name"),
        ImportRowError(8, "location", "a quantity needs a location"),
    ]
    assert list(SKU.objects.values_list("code", flat=True)) == ["OLD"]
    assert StockLevel.objects.count() == 0
    assert StockOperation.objects.count() == 0


def test_reimport_of_same_file_changes_nothing_and_adds_no_movement(locations):
    first = catalog_import_csv(content=VALID, dry_run=False)
    movements, operations = StockMovement.objects.count(), StockOperation.objects.count()

    again = catalog_import_csv(content=VALID, dry_run=False)

    assert (first.applied, again.applied) == (True, True)
    assert (again.skus_created, again.skus_updated, again.stock_rows) == (0, 0, 3)
    assert StockMovement.objects.count() == movements == 2
    assert StockOperation.objects.count() == operations == 1
    assert SKU.objects.count() == 3
    assert KitComponent.objects.count() == 2
    assert _levels() == {("TEE-S", "WH1"): (10, 0), ("TEE-S", "WH2"): (4, 0)}


def test_reimport_sets_absolute_counts_and_updates_through_catalog_service(locations):
    catalog_import_csv(content=VALID, dry_run=False)
    changed = """sku,backorder,components,location,quantity
TEE-S,backorder,,WH1,7
PACK,,TEE-S:3,,
"""

    report = catalog_import_csv(content=changed, dry_run=False)

    assert (report.applied, report.skus_created, report.skus_updated, report.stock_rows) == (True, 0, 2, 1)
    assert _levels()[("TEE-S", "WH1")] == (7, 0)
    movement = StockMovement.objects.order_by("-pk").first()
    assert (movement.sku.code, movement.on_hand_delta, movement.on_hand_after) == ("TEE-S", -3, 7)
    # The policy change went through sku_update: the levels' backorder flag follows it.
    assert set(StockLevel.objects.filter(sku__code="TEE-S").values_list("allow_backorder", flat=True)) == {
        True
    }
    assert list(KitComponent.objects.values_list("component__code", "quantity")) == [("TEE-S", 3)]


def test_count_below_committed_is_refused_and_rolls_back_catalog_changes(locations):
    wh1, _ = locations
    sku = SKUFactory(code="HELD", name="Held")
    stock_apply(changes=[StockChange(sku_id=sku.pk, location_id=wh1.pk, on_hand_delta=5)], reason="receipt")
    stock_apply(changes=[StockChange(sku_id=sku.pk, location_id=wh1.pk, committed_delta=4)], reason="reserve")
    content = "sku,name,location,quantity\nNEW,New one,WH1,1\nHELD,Renamed,WH1,2\n"

    report = catalog_import_csv(content=content, dry_run=False)

    assert report.applied is False
    assert report.errors == [ImportRowError(3, "quantity", "HELD@WH1: cannot go below committed units")]
    assert not SKU.objects.filter(code="NEW").exists()
    assert SKU.objects.get(code="HELD").name == "Held"
    assert _levels() == {("HELD", "WH1"): (5, 4)}


def test_dry_run_finds_errors_only_writing_can_find(locations):
    kit = SKUFactory(code="OUTER", is_kit=True)
    inner = SKUFactory(code="INNER", is_kit=True)
    KitComponent.objects.create(kit=inner, component=kit, quantity=1)
    content = "sku,components\nOUTER,INNER:1\n"

    report = catalog_import_csv(content=content, dry_run=True)

    assert report.errors == [
        ImportRowError(2, "components", "INNER contains OUTER: a kit cannot contain itself")
    ]
    assert KitComponent.objects.filter(kit=kit).count() == 0


def test_bom_semicolons_blank_lines_and_decimal_comma(locations):
    content = (
        "\ufeffSKU;Name;Unit cost;Location;Quantity\r\n"
        "\r\n"
        "S1;Semi one;2,25;WH1;3\r\n"
        ";;;;\r\n"
        "S2;Semi two;1.5;wh-missing;\r\n"
    )

    report = catalog_import_csv(content=content, dry_run=False)

    assert report.errors == [ImportRowError(5, "location", "unknown location wh-missing")]
    assert report.rows == 2
    fixed = content.replace("wh-missing", "WH2")
    report = catalog_import_csv(content=fixed, dry_run=False)
    assert (report.applied, report.rows, report.skus_created, report.stock_rows) == (True, 2, 2, 1)
    assert SKU.objects.get(code="S1").default_unit_cost == Decimal("2.2500")
    assert _levels() == {("S1", "WH1"): (3, 0)}


def test_unknown_header_column_and_empty_file_are_refused():
    report = catalog_import_csv(content="sku,qty\nA,1\n", dry_run=False)
    assert [(e.row, e.column) for e in report.errors] == [(1, "qty")]
    assert catalog_import_csv(content="\n\n", dry_run=True).errors == [
        ImportRowError(1, "sku", "the file is empty")
    ]
    assert SKU.objects.count() == 0


def test_existing_product_is_matched_case_insensitively_and_report_as_dict(locations):
    product = ProductFactory(name="Linen")

    report = catalog_import_csv(content="sku,name,product\nL1,Linen one,LINEN\n", dry_run=False)

    assert SKU.objects.get(code="L1").product == product
    assert Product.objects.count() == 1
    assert report.as_dict() == {
        "dry_run": False,
        "ok": True,
        "applied": True,
        "rows": 1,
        "skus_created": 1,
        "skus_updated": 0,
        "stock_rows": 0,
        "errors": [],
    }


def test_nested_kit_may_name_components_defined_later_in_the_file(locations):
    content = """sku,name,is_kit,components
GIFT,Gift box,yes,DUO:1;CARD:2
DUO,Duo,yes,CARD:1;PEN:1
CARD,Card,,
PEN,Pen,,
"""

    report = catalog_import_csv(content=content, dry_run=False)

    assert (report.applied, report.skus_created) == (True, 4)
    assert sorted(KitComponent.objects.values_list("kit__code", "component__code", "quantity")) == [
        ("DUO", "CARD", 1),
        ("DUO", "PEN", 1),
        ("GIFT", "CARD", 2),
        ("GIFT", "DUO", 1),
    ]


def test_partial_columns_leave_other_fields_alone(locations):
    sku = SKUFactory(code="KEEP", name="Keep me", barcode="777", default_unit_cost=Decimal("9"))

    report = catalog_import_csv(content="sku,weight_grams\nKEEP,55.5\n", dry_run=False)

    assert (report.applied, report.skus_updated) == (True, 1)
    sku.refresh_from_db()
    assert (sku.name, sku.barcode, sku.default_unit_cost, sku.weight_grams) == (
        "Keep me",
        "777",
        Decimal("9.0000"),
        Decimal("55.50"),
    )


def test_sku_with_stock_cannot_become_a_kit_and_inactive_location_takes_no_stock(locations):
    wh1, wh2 = locations
    sku = SKUFactory(code="STOCKED")
    stock_apply(changes=[StockChange(sku_id=sku.pk, location_id=wh1.pk, on_hand_delta=2)], reason="receipt")
    wh2.is_active = False
    wh2.save()

    inactive = catalog_import_csv(content="sku,location,quantity\nSTOCKED,WH2,1\n", dry_run=True)
    to_kit = catalog_import_csv(content="sku,is_kit\nSTOCKED,yes\n", dry_run=False)

    assert inactive.errors == [ImportRowError(2, "location", "location WH2 is inactive")]
    assert to_kit.errors == [ImportRowError(2, "is_kit", "STOCKED holds stock; it cannot become a kit")]
    sku.refresh_from_db()
    assert sku.is_kit is False
    assert _levels() == {("STOCKED", "WH1"): (2, 0)}
