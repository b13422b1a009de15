"""Readings of the stock figures that tests assert on."""

from __future__ import annotations

from inventory_app.models import StockLevel


def stock_level(sku, location) -> tuple[int, int]:
    """(on_hand, committed) of the SKU's level row at the location."""
    row = StockLevel.objects.get(sku=sku, location=location)
    return row.on_hand, row.committed


def stock_levels(sku) -> dict[str, tuple[int, int]]:
    """(on_hand, committed) of each of the SKU's level rows, by location code."""
    rows = StockLevel.objects.filter(sku=sku).select_related("location")
    return {row.location.code: (row.on_hand, row.committed) for row in rows}


def assert_sku_totals_match_levels() -> None:
    """Every SKU's ledger-kept totals equal the sums of its levels (services.stock_totals)."""
    from inventory_app.models import SKU

    for sku in SKU.objects.prefetch_related("levels__location"):
        levels = list(sku.levels.all())
        sellable = [lv for lv in levels if lv.location.is_active and lv.location.is_sellable]
        expected = (
            sum(lv.on_hand for lv in levels),
            sum(lv.committed for lv in levels),
            sum(lv.on_hand - lv.committed for lv in sellable),
        )
        assert (sku.code, sku.on_hand_total, sku.committed_total, sku.available_total) == (
            sku.code,
            *expected,
        )
