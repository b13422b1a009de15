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


def large_catalog_csv(*, skus: int, offset: int = 0) -> str:
    """A catalog CSV of ``skus`` new SKUs, each with a stock row at WH1 (i % 50) and WH2 (i % 7 + 1)."""
    lines = ["sku,name,product,location,quantity"]
    for i in range(offset, offset + skus):
        lines.append(f"BULK-{i:06d},Bulk item {i},Product {i % 20},WH1,{i % 50}")
        lines.append(f"BULK-{i:06d},,,WH2,{i % 7 + 1}")
    return "\n".join(lines) + "\n"
