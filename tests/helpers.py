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
