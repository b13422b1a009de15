"""Catalog writes: products, SKUs (with the backorder policy levels enforce), kits, locations, channels."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from inventory_app.errors import InvalidStockOperation
from inventory_app.models import (
    SKU,
    BackorderPolicy,
    KitComponent,
    Location,
    Product,
    SalesChannel,
    StockLevel,
)
from inventory_app.selectors.kits import kit_would_cycle
from inventory_app.services.stock_totals import sku_totals_refresh

SKU_FIELDS = {
    "product",
    "code",
    "barcode",
    "name",
    "attributes",
    "weight_grams",
    "default_unit_cost",
    "is_active",
    "is_kit",
    "backorder_policy",
}


def product_create(*, name: str, description: str = "", brand: str = "") -> Product:
    """Create a product."""
    return Product.objects.create(name=name, description=description, brand=brand)


def sku_create(
    *,
    code: str,
    name: str,
    product: Product | None = None,
    barcode: str = "",
    attributes: dict | None = None,
    weight_grams: Decimal = Decimal("0"),
    default_unit_cost: Decimal = Decimal("0"),
    is_active: bool = True,
    is_kit: bool = False,
    backorder_policy: str = BackorderPolicy.REJECT,
) -> SKU:
    """Create a SKU (a kit gets its components through :func:`kit_component_set`)."""
    sku = SKU(
        code=code.strip(),
        name=name,
        product=product,
        barcode=barcode.strip(),
        attributes=attributes or {},
        weight_grams=weight_grams,
        default_unit_cost=default_unit_cost,
        is_active=is_active,
        is_kit=is_kit,
        backorder_policy=backorder_policy,
    )
    sku.full_clean()
    sku.save()
    return sku


class SkuRowsInvalid(ValueError):
    """Rows of :func:`skus_create_many` that failed validation: row index -> field -> messages."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        super().__init__(f"{len(errors)} invalid SKU row(s)")
        self.errors = errors


def skus_create_many(*, rows: Sequence[dict[str, Any]], batch_size: int = 1000) -> list[SKU]:
    """Create many SKUs (the fields of :func:`sku_create` per row) in batches of ``batch_size``.

    Every SKU is validated field by field as ``sku_create`` does; uniqueness (code, barcode) is
    left to the caller's own check and to the database's constraints. Raises SkuRowsInvalid with
    every invalid row, and then nothing is created.
    """
    skus, errors = [], {}
    for index, fields in enumerate(rows):
        sku = SKU(
            **{
                **fields,
                "code": fields["code"].strip(),
                "barcode": fields.get("barcode", "").strip(),
                "attributes": fields.get("attributes") or {},
            }
        )
        try:
            sku.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors[index] = exc.message_dict
        skus.append(sku)
    if errors:
        raise SkuRowsInvalid(errors)
    with transaction.atomic():
        return SKU.objects.bulk_create(skus, batch_size=batch_size)


def sku_update(*, sku: SKU, **changes: Any) -> SKU:
    """Update SKU fields; keeps the stock levels' backorder flag in step with the policy.

    Refuses to stop backorders while some location has more committed than on hand, and to
    turn a SKU with stock into a kit (or back) since a kit holds no stock.
    """
    unknown = set(changes) - SKU_FIELDS
    if unknown:
        raise InvalidStockOperation(f"Unknown SKU field(s): {', '.join(sorted(unknown))}")
    with transaction.atomic():
        # Levels first, then the SKU: the ledger's lock order (it locks levels, then SKU totals).
        levels = StockLevel.objects.select_for_update().filter(sku_id=sku.pk).order_by("pk")
        list(levels.values_list("pk", flat=True))
        sku = SKU.objects.select_for_update().get(pk=sku.pk)
        policy_before, kit_before = sku.backorder_policy, sku.is_kit
        for name, value in changes.items():
            setattr(sku, name, value)
        sku.full_clean()
        if sku.is_kit != kit_before:
            if StockLevel.objects.filter(sku=sku).exclude(on_hand=0, committed=0).exists():
                raise InvalidStockOperation(f"{sku.code} holds stock; it cannot become a kit")
            if not sku.is_kit and KitComponent.objects.filter(kit=sku).exists():
                raise InvalidStockOperation(f"{sku.code} has components; remove them first")
        if sku.backorder_policy != policy_before:
            allow = sku.backorder_policy == BackorderPolicy.BACKORDER
            if not allow and levels.filter(committed__gt=F("on_hand")).exists():
                raise InvalidStockOperation(
                    f"{sku.code} has backordered reservations; ship or cancel them before refusing backorders"
                )
            levels.update(allow_backorder=allow, updated_at=timezone.now())
        # Only the fields changed: the stock totals belong to the ledger (a save() of every
        # field would write back totals read before a concurrent stock change).
        sku.save(update_fields=[*changes, "updated_at"])
    return sku


def kit_component_set(*, kit: SKU, component: SKU, quantity: int) -> KitComponent | None:
    """Set how many units of ``component`` one ``kit`` holds (0 removes it). Refuses cycles."""
    if not kit.is_kit:
        raise InvalidStockOperation(f"{kit.code} is not a kit")
    if quantity < 0:
        raise InvalidStockOperation("Component quantity cannot be negative")
    if quantity == 0:
        KitComponent.objects.filter(kit=kit, component=component).delete()
        return None
    if kit_would_cycle(kit=kit, component=component):
        raise InvalidStockOperation(f"{component.code} contains {kit.code}: a kit cannot contain itself")
    item, _ = KitComponent.objects.update_or_create(
        kit=kit, component=component, defaults={"quantity": quantity}
    )
    return item


def location_create(
    *, code: str, name: str, is_sellable: bool = True, priority: int = 100, address: dict | None = None
) -> Location:
    """Create a stock location."""
    location = Location(
        code=code.strip(), name=name, is_sellable=is_sellable, priority=priority, address=address or {}
    )
    location.full_clean()
    location.save()
    return location


PRODUCT_FIELDS = {"name", "description", "brand"}
LOCATION_FIELDS = {"code", "name", "is_sellable", "is_active", "priority", "address"}


def product_update(*, product: Product, **changes: Any) -> Product:
    """Update product fields (name, description, brand)."""
    unknown = set(changes) - PRODUCT_FIELDS
    if unknown:
        raise InvalidStockOperation(f"Unknown product field(s): {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(product, name, value)
    product.full_clean()
    product.save()
    return product


def location_update(*, location: Location, **changes: Any) -> Location:
    """Update a location (rename, re-prioritise, stop selling from it, deactivate).

    Refuses to deactivate a location that still holds stock or reservations.
    """
    unknown = set(changes) - LOCATION_FIELDS
    if unknown:
        raise InvalidStockOperation(f"Unknown location field(s): {', '.join(sorted(unknown))}")
    with transaction.atomic():
        location = Location.objects.select_for_update().get(pk=location.pk)
        was_active = location.is_active
        for name, value in changes.items():
            setattr(location, name, value.strip() if name == "code" else value)
        location.full_clean()
        holds_stock = StockLevel.objects.filter(location=location).exclude(on_hand=0, committed=0)
        if was_active and not location.is_active and holds_stock.exists():
            raise InvalidStockOperation(f"{location.code} holds stock; move or count it out first")
        location.save()
        if {"is_active", "is_sellable"} & set(changes):
            _sku_totals_refresh_at(location=location)
    return location


def _sku_totals_refresh_at(*, location: Location) -> None:
    """Recompute the stock totals of the SKUs stocked at ``location`` (its selling flags changed),
    their levels locked in pk order first so that no stock change runs meanwhile."""
    sku_ids = StockLevel.objects.filter(location=location).values("sku_id")
    levels = StockLevel.objects.select_for_update().filter(sku_id__in=sku_ids).order_by("pk")
    list(levels.values_list("pk", flat=True))
    sku_totals_refresh(sku_ids=list(sku_ids.values_list("sku_id", flat=True)))


def sales_channel_create(
    *, code: str, name: str, kind: str = "manual", is_active: bool = True
) -> SalesChannel:
    """Create a sales channel (integration apps attach their accounts to one)."""
    channel = SalesChannel(code=code.strip(), name=name, kind=kind, is_active=is_active)
    channel.full_clean()
    channel.save()
    return channel
