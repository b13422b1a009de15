"""Reads about orders that services and the API share."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from inventory_app.models import Order

if TYPE_CHECKING:
    from inventory_app.services.orders.create import OrderInput


def order_input_differences(*, order: Order, data: OrderInput) -> list[dict[str, Any]]:
    """What a re-sent order (same channel and external reference) changes against the stored one:
    its line count, and each line's SKU code, quantity and unit price, position by position
    (lines in the order they were stored). Each difference: ``path``, ``stored``, ``sent``."""
    stored = list(order.lines.order_by("pk").values_list("external_sku", "quantity", "unit_price"))
    sent = [(line.sku_code, line.quantity, Decimal(line.unit_price)) for line in data.lines]
    differences: list[dict[str, Any]] = []
    if len(stored) != len(sent):
        differences.append(
            {"path": "lines", "stored": f"{len(stored)} line(s)", "sent": f"{len(sent)} line(s)"}
        )
    for index, (ours, theirs) in enumerate(zip(stored, sent, strict=False)):
        for name, a, b in zip(("sku", "quantity", "unit_price"), ours, theirs, strict=True):
            if a != b:
                differences.append({"path": f"lines[{index}].{name}", "stored": str(a), "sent": str(b)})
    return differences
