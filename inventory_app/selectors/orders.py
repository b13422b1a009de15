"""Reads about orders that services and the API share."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from inventory_app.models import SKU, Order, OrderLine
from inventory_app.selectors.estimates import query_rows_estimate

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


SCAN_ABOVE = 10_000  # orders the planner expects a term to match on the order itself: a common term


def orders_search_filter(*, term: str) -> Q:
    """A filter of the orders whose reference, customer name or e-mail, or one of whose lines' SKU
    code or channel SKU contains ``term`` (any case), never a join of every line made DISTINCT.

    A rare term: the ids of a union of lookups each answered by an index (PostgreSQL's trigram
    indexes). A common one (the planner expects more than SCAN_ABOVE orders to match themselves):
    the order's own fields row by row, or the union of the lines' lookups, so that a page of the
    newest orders fills at once instead of collecting every match first.
    """
    own = (
        Q(external_ref__icontains=term) | Q(customer_name__icontains=term) | Q(customer_email__icontains=term)
    )
    skus = SKU.objects.filter(code__icontains=term).order_by().values("pk")
    by_sku = OrderLine.objects.filter(sku__in=skus).order_by().values("order_id")
    by_channel_sku = OrderLine.objects.filter(external_sku__icontains=term).order_by().values("order_id")
    if (query_rows_estimate(queryset=Order.objects.filter(own)) or 0) > SCAN_ABOVE:
        return own | Q(pk__in=by_sku.union(by_channel_sku))
    return Q(pk__in=Order.objects.filter(own).order_by().values("pk").union(by_sku, by_channel_sku))
