"""Catalog import from a staff spreadsheet saved as CSV: SKUs, kits and opening stock in one go.

Columns (header names are case-insensitive; spaces and dashes count as underscores; every column
but ``sku`` is optional, and an empty cell means "leave as it is" for an existing SKU and "the
default" for a new one):

``sku``           SKU code (required). A code may appear on several rows, e.g. one per location;
                  catalog cells repeated on those rows must then agree.
``name``          SKU name (required for a new SKU).
``product``       product name, matched case-insensitively; created when missing.
``barcode``       must not belong to another SKU (in the file or in the database). An empty
                  cell never clears a barcode.
``weight_grams``  decimal >= 0 (at most 2 decimal places).
``unit_cost``     default unit cost, decimal >= 0 (at most 4 decimal places).
``backorder``     ``reject`` or ``backorder``.
``is_kit``        yes/no (also true/false, 1/0, y/n, x).
``components``    kits only: ``CODE:QTY;CODE:QTY`` (``,`` also separates items). The list replaces
                  the kit's components; components must exist in the file or the database.
``location``      code of an existing, active location (locations are never created here).
``quantity``      on-hand units to set at that location: an absolute figure (a count) written
                  through the ledger with reason "import". Needs ``location``; refused for kits.
                  A location without a quantity changes no stock.
``active``        yes/no.

Files may start with a UTF-8 byte-order mark, use ``,`` ``;`` or tab as delimiter (sniffed), and
contain blank lines (skipped; row numbers stay those the spreadsheet shows, header = row 1). In a
``;``-delimited file a decimal comma (``2,50``) is accepted.

Every row is validated first; a file with any bad row imports nothing. The import itself runs in
one transaction through the catalog services and the ledger, so an error found while writing
(e.g. a kit cycle, a count below committed units) also leaves everything unchanged. A dry run
performs that same write and rolls it back, so it reports exactly what a real run would.
Re-importing the same file changes nothing and appends no movement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from inventory_app.errors import StockError
from inventory_app.models import SKU, KitComponent, Location, Product
from inventory_app.services import catalog
from inventory_app.services.imports.parsing import CATALOG_COLUMNS, ImportRowError, rows_read
from inventory_app.services.imports.stock import stock_rows_write
from inventory_app.services.pair_rows import rows_in

__all__ = ["ImportReport", "ImportRowError", "catalog_import_csv"]

# Import column -> SKU model field.
FIELD_OF = {
    "name": "name",
    "barcode": "barcode",
    "weight_grams": "weight_grams",
    "unit_cost": "default_unit_cost",
    "backorder": "backorder_policy",
    "is_kit": "is_kit",
    "active": "is_active",
    "product": "product",
}
COLUMN_OF = {**{f: c for c, f in FIELD_OF.items()}, "code": "sku", "__all__": "sku"}


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), and every error found."""

    dry_run: bool
    rows: int = 0
    skus_created: int = 0
    skus_updated: int = 0
    stock_rows: int = 0
    errors: list[ImportRowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        """True when the file has no error."""
        return not self.errors

    def as_dict(self) -> dict:
        """JSON-friendly form (API answers, the management command)."""
        return {
            "dry_run": self.dry_run,
            "ok": self.ok,
            "applied": self.applied,
            "rows": self.rows,
            "skus_created": self.skus_created,
            "skus_updated": self.skus_updated,
            "stock_rows": self.stock_rows,
            "errors": [asdict(e) for e in self.errors],
        }


@dataclass
class _SkuPlan:
    code: str
    row: int
    values: dict[str, tuple[Any, int]] = field(default_factory=dict)  # column -> (value, row)
    stock: dict[str, tuple[int, int]] = field(default_factory=dict)  # location code -> (qty, row)
    locations: dict[str, int] = field(default_factory=dict)  # location code -> first row
    existing: SKU | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    components_changed: bool = False

    def row_of(self, column: str) -> int:
        return self.values.get(column, (None, self.row))[1]

    @property
    def is_kit(self) -> bool:
        if "is_kit" in self.values:
            return self.values["is_kit"][0]
        return bool(self.existing and self.existing.is_kit)


class _Rollback(Exception):
    """Raised inside the import transaction to undo it (dry run, or errors while writing)."""


def catalog_import_csv(
    *,
    content: str,
    dry_run: bool,
    user: AbstractBaseUser | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate and (unless ``dry_run`` or any error) import a catalog CSV; see the module docstring.

    All or nothing: the report's ``applied`` is True only when every row was valid and written.
    ``on_progress`` is told a percentage between the phases (read 10, checked 40), outside the
    write transaction.
    """
    progress = on_progress or (lambda percent: None)
    report = ImportReport(dry_run=dry_run)
    errors = report.errors
    rows = rows_read(content=content, errors=errors)
    report.rows = len(rows)
    progress(10)
    if errors and (not rows or any(e.row < rows[0][0] for e in errors)):
        return report  # no data, or a bad header: the cells cannot be trusted
    failed = {(e.row, e.column) for e in errors}
    plans = _plans_build(rows=[(row, values) for row, values in rows if "sku" in values], errors=errors)
    del rows  # the plans hold what the write needs: the parsed cells go before it allocates
    locations = _plans_check(plans=plans, errors=errors, failed=failed)
    report.skus_created = sum(1 for p in plans.values() if p.existing is None)
    report.skus_updated = sum(1 for p in plans.values() if p.existing and (p.changes or p.components_changed))
    report.stock_rows = sum(len(p.stock) for p in plans.values())
    if errors:
        errors.sort(key=lambda e: (e.row, e.column))
        return report
    progress(40)
    try:
        with transaction.atomic():
            _plans_write(plans=plans, locations=locations, errors=errors, user=user)
            if errors or dry_run:
                raise _Rollback
    except _Rollback:
        errors.sort(key=lambda e: (e.row, e.column))
        return report
    report.applied = True
    return report


def _plans_build(*, rows: list[tuple[int, dict[str, Any]]], errors: list) -> dict[str, _SkuPlan]:
    plans: dict[str, _SkuPlan] = {}
    for row, values in rows:
        code = values["sku"]
        plan = plans.setdefault(code, _SkuPlan(code=code, row=row))
        for column in CATALOG_COLUMNS:
            if column not in values:
                continue
            if column in plan.values and plan.values[column][0] != values[column]:
                first_value, first_row = plan.values[column]
                errors.append(
                    ImportRowError(row, column, f"{code}: conflicts with row {first_row} ({first_value!s})")
                )
                continue
            plan.values.setdefault(column, (values[column], row))
        location, quantity = values.get("location"), values.get("quantity")
        if quantity is not None and location is None:
            errors.append(ImportRowError(row, "location", "a quantity needs a location"))
        elif quantity is not None:
            if location in plan.stock and plan.stock[location][0] != quantity:
                first_row = plan.stock[location][1]
                errors.append(
                    ImportRowError(row, "quantity", f"{code}@{location}: conflicts with row {first_row}")
                )
            plan.stock.setdefault(location, (quantity, row))
        if location is not None:
            plan.locations.setdefault(location, row)
    return plans


def _plans_check(
    *, plans: dict[str, _SkuPlan], errors: list, failed: set[tuple[int, str]]
) -> dict[str, Location]:
    skus = SKU.objects.select_related("product")
    existing = {s.code: s for s in rows_in(queryset=skus, field="code", values=plans)}
    component_codes = {c for p in plans.values() for c, _ in p.values.get("components", ((), 0))[0]}
    codes = SKU.objects.values_list("code", flat=True)
    known_codes = set(plans) | set(rows_in(queryset=codes, field="code", values=component_codes - set(plans)))
    location_codes = {code for p in plans.values() for code in p.locations}
    locations = {
        loc.code: loc for loc in rows_in(queryset=Location.objects.all(), field="code", values=location_codes)
    }
    barcodes: dict[str, str] = {}
    for plan in plans.values():
        if "barcode" in plan.values and plan.values["barcode"][0]:
            barcodes.setdefault(plan.values["barcode"][0], plan.code)
    taken = dict(
        rows_in(queryset=SKU.objects.values_list("barcode", "code"), field="barcode", values=barcodes)
    )
    current = _components_current(skus=[s for s in existing.values() if s.is_kit])
    for plan in plans.values():
        plan.existing = existing.get(plan.code)
        if plan.existing is None and "name" not in plan.values and (plan.row, "name") not in failed:
            errors.append(ImportRowError(plan.row, "name", f"{plan.code}: a new SKU needs a name"))
        if "barcode" in plan.values:
            barcode, row = plan.values["barcode"]
            owner = barcodes.get(barcode)
            if owner != plan.code:
                errors.append(ImportRowError(row, "barcode", f"barcode {barcode} is also given to {owner}"))
            elif taken.get(barcode, plan.code) != plan.code:
                message = f"barcode {barcode} belongs to {taken[barcode]}"
                errors.append(ImportRowError(row, "barcode", message))
        for code, row in plan.locations.items():
            if code not in locations:
                errors.append(ImportRowError(row, "location", f"unknown location {code}"))
            elif code in plan.stock and not locations[code].is_active:
                errors.append(ImportRowError(row, "location", f"location {code} is inactive"))
        if plan.is_kit:
            for _, (_, row) in plan.stock.items():
                errors.append(ImportRowError(row, "quantity", f"{plan.code} is a kit: kits hold no stock"))
        if "components" in plan.values:
            items, row = plan.values["components"]
            if not plan.is_kit:
                errors.append(ImportRowError(row, "components", f"{plan.code} is not a kit"))
            for code, _ in items:
                if code == plan.code:
                    errors.append(ImportRowError(row, "components", "a kit cannot contain itself"))
                elif code not in known_codes:
                    errors.append(ImportRowError(row, "components", f"unknown component SKU {code}"))
            wanted = dict(items)
            plan.components_changed = plan.existing is None or current.get(plan.existing.pk, {}) != wanted
        plan.changes = _sku_changes(plan=plan)
    return locations


def _components_current(*, skus: list[SKU]) -> dict[int, dict[str, int]]:
    result: dict[int, dict[str, int]] = defaultdict(dict)
    rows = KitComponent.objects.values_list("kit_id", "component__code", "quantity")
    for kit_id, code, quantity in rows_in(queryset=rows, field="kit_id", values=[s.pk for s in skus]):
        result[kit_id][code] = quantity
    return result


def _sku_changes(*, plan: _SkuPlan) -> dict[str, Any]:
    changes = {}
    for column, model_field in FIELD_OF.items():
        if column not in plan.values:
            continue
        value = plan.values[column][0]
        if plan.existing is None:
            changes[model_field] = value
        elif column == "product":
            product = plan.existing.product
            if product is None or product.name.lower() != value.lower():
                changes[model_field] = value
        elif getattr(plan.existing, model_field) != value:
            changes[model_field] = value
    return changes


def _plans_write(
    *, plans: dict[str, _SkuPlan], locations: dict[str, Location], errors: list, user: AbstractBaseUser | None
) -> None:
    names = {p.changes["product"] for p in plans.values() if "product" in p.changes}
    products = _products_ensure(names=names)
    skus: dict[str, SKU] = {}
    new_plans = [plan for plan in plans.values() if plan.existing is None]
    _skus_create(plans=new_plans, products=products, skus=skus, errors=errors)
    for plan in plans.values():
        if plan.existing is None:
            continue
        fields = dict(plan.changes)
        if "product" in fields:
            fields["product"] = products[fields["product"].lower()]
        # No savepoint per SKU: the services refuse before writing (validation) or inside their own
        # atomic block, and any refusal rolls the whole import back anyway.
        try:
            skus[plan.code] = catalog.sku_update(sku=plan.existing, **fields) if fields else plan.existing
        except ValidationError as exc:
            _validation_errors(plan=plan, messages=exc.message_dict, errors=errors)
        except StockError as exc:
            errors.append(ImportRowError(plan.row, "is_kit" if "kit" in str(exc) else "backorder", str(exc)))
    if errors:
        return
    _components_write(plans=plans, skus=skus, errors=errors)
    if not errors:
        stock_rows_write(plans=plans, skus=skus, locations=locations, errors=errors, user=user)


def _skus_create(*, plans: list[_SkuPlan], products: dict[str, Product], skus: dict, errors: list) -> None:
    rows = []
    for plan in plans:
        fields = {"code": plan.code, **plan.changes}
        if "product" in fields:
            fields["product"] = products[fields["product"].lower()]
        rows.append(fields)
    try:
        created = catalog.skus_create_many(rows=rows)
    except catalog.SkuRowsInvalid as exc:
        for index, messages in exc.errors.items():
            _validation_errors(plan=plans[index], messages=messages, errors=errors)
        return
    skus.update((sku.code, sku) for sku in created)


def _validation_errors(*, plan: _SkuPlan, messages: dict[str, list[str]], errors: list) -> None:
    for name, texts in messages.items():
        column = COLUMN_OF.get(name, "sku")
        errors.extend(ImportRowError(plan.row_of(column), column, m) for m in texts)


def _products_ensure(*, names: set[str]) -> dict[str, Product]:
    found: dict[str, Product] = {}
    lowered = sorted({n.lower() for n in names})
    for product in Product.objects.annotate(lname=Lower("name")).filter(lname__in=lowered).order_by("pk"):
        found.setdefault(product.lname, product)
    for name in sorted(names):
        if name.lower() not in found:
            found[name.lower()] = catalog.product_create(name=name)
    return found


def _components_write(*, plans: dict[str, _SkuPlan], skus: dict[str, SKU], errors: list) -> None:
    wanted_kits = [p for p in plans.values() if p.components_changed]
    if not wanted_kits:
        return
    codes = {c for p in wanted_kits for c, _ in p.values["components"][0]} - skus.keys()
    by_code = {**{s.code: s for s in rows_in(queryset=SKU.objects.all(), field="code", values=codes)}, **skus}
    for plan in wanted_kits:
        kit = skus[plan.code]
        items, row = plan.values["components"]
        wanted = {by_code[code].pk: qty for code, qty in items}
        try:
            for component in KitComponent.objects.filter(kit=kit).select_related("component"):
                if component.component_id not in wanted:
                    catalog.kit_component_set(kit=kit, component=component.component, quantity=0)
            for code, qty in items:
                catalog.kit_component_set(kit=kit, component=by_code[code], quantity=qty)
        except StockError as exc:
            errors.append(ImportRowError(row, "components", str(exc)))
