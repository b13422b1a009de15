"""Per-SKU stock totals (``SKU.on_hand_total``, ``committed_total``, ``available_total``).

The ledger adds each batch's level deltas to its SKUs' totals in the transaction of the level
update (:func:`sku_totals_add`), so that for every SKU, at every commit:

    on_hand_total   = sum of its levels' on hand
    committed_total = sum of its levels' committed
    available_total = sum of (on hand - committed) at active sellable locations

Deltas, not recomputed sums: under READ COMMITTED a recomputation could miss a concurrent
transaction's level change, while ``total = total + delta`` composes. The SKU rows are locked in
primary-key order (after the levels, as everywhere) so two batches cannot deadlock on them.
:func:`sku_totals_refresh` recomputes them from the levels (a location's selling flag changed,
a migration, a bulk load).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import connection
from django.db.models import F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from inventory_app.models import SKU, Location, StockLevel


def sku_totals_add(
    *,
    levels: Mapping[tuple[int, int], Mapping],
    locations: Mapping[int, Location],
    net: Mapping[int, tuple[int, int] | list[int]],
) -> None:
    """Add the net (on hand, committed) deltas of the level ids in ``net`` to their SKUs' totals.

    ``levels`` maps (sku id, location id) to the locked level row (with its ``pk``), ``locations``
    the batch's locations (``is_active``, ``is_sellable``).
    """
    per_sku: dict[int, list[int]] = {}
    for (sku_id, location_id), row in levels.items():
        delta = net.get(row["pk"])
        if delta is None or not (delta[0] or delta[1]):
            continue
        totals = per_sku.setdefault(sku_id, [0, 0, 0])
        totals[0] += delta[0]
        totals[1] += delta[1]
        location = locations[location_id]
        if location.is_active and location.is_sellable:
            totals[2] += delta[0] - delta[1]
    if not per_sku:
        return
    # Lock in pk order first: one UPDATE of many rows takes its locks in no defined order.
    ids = sorted(per_sku)
    list(SKU.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk").values_list("pk"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {SKU._meta.db_table} AS s SET on_hand_total = s.on_hand_total + v.o, "  # noqa: S608
                "committed_total = s.committed_total + v.c, available_total = s.available_total + v.a "
                "FROM (SELECT UNNEST(%s::bigint[]) AS id, UNNEST(%s::integer[]) AS o, "
                "UNNEST(%s::integer[]) AS c, UNNEST(%s::integer[]) AS a) AS v WHERE s.id = v.id",
                [ids, *([per_sku[i][n] for i in ids] for n in range(3))],
            )
        return
    for sku_id in ids:
        on_hand, committed, available = per_sku[sku_id]
        SKU.objects.filter(pk=sku_id).update(
            on_hand_total=F("on_hand_total") + on_hand,
            committed_total=F("committed_total") + committed,
            available_total=F("available_total") + available,
        )


def _levels_sum(expression, **conditions) -> Coalesce:
    return Coalesce(
        Subquery(
            StockLevel.objects.filter(sku_id=OuterRef("pk"), **conditions)
            .order_by()
            .values("sku_id")
            .annotate(units=Sum(expression))
            .values("units"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def sku_totals_refresh(*, sku_ids: Iterable[int] | None = None) -> int:
    """Recompute the totals of the given SKUs (all when None) from their levels; the rows updated."""
    skus = SKU.objects.all() if sku_ids is None else SKU.objects.filter(pk__in=list(sku_ids))
    return skus.update(
        on_hand_total=_levels_sum(F("on_hand")),
        committed_total=_levels_sum(F("committed")),
        available_total=_levels_sum(
            F("on_hand") - F("committed"), location__is_active=True, location__is_sellable=True
        ),
    )
