"""Rows of (SKU, location) pairs, many at a time, with bounded SQL.

A filter ``Q(sku, location) | Q(sku, location) | ...`` is one SQL expression per pair: SQLite
refuses it past about 1,000 pairs ("Expression tree is too large") and both databases cap the
parameters of one statement. Large sets are read in chunks of ids instead, and rows are locked by
primary key in ascending order, chunk after chunk, so concurrent batches still lock in one global
order and cannot deadlock each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

CHUNK = 500  # ids per IN (...) list, well under every database's parameter limit
SMALL = 100  # up to this many pairs, one OR expression (one statement) is the faster way

T = TypeVar("T")


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def pairs_rows_locked(*, queryset: QuerySet, pairs: Iterable[tuple[int, int]]) -> list[Model]:
    """The rows of ``queryset`` (a model with ``sku_id`` and ``location_id``) of ``pairs``,
    SELECT ... FOR UPDATE in primary-key order, whatever the number of pairs."""
    wanted = set(pairs)
    if not wanted:
        return []
    if len(wanted) <= SMALL:
        condition = Q()
        for sku_id, location_id in sorted(wanted):
            condition |= Q(sku_id=sku_id, location_id=location_id)
        return list(queryset.select_for_update().filter(condition).order_by("pk"))
    location_ids = sorted({location_id for _, location_id in wanted})
    pks: list[int] = []
    for sku_ids in chunked(sorted({sku_id for sku_id, _ in wanted})):
        found = queryset.filter(sku_id__in=sku_ids, location_id__in=location_ids).values_list(
            "pk", "sku_id", "location_id"
        )
        pks.extend(pk for pk, sku_id, location_id in found if (sku_id, location_id) in wanted)
    rows: list[Model] = []
    for chunk in chunked(sorted(pks)):
        rows.extend(queryset.select_for_update().filter(pk__in=chunk).order_by("pk"))
    return rows


def rows_in(*, queryset: QuerySet, field: str, values: Iterable) -> Iterator:
    """``queryset.filter(<field>__in=values)`` for any number of values, one chunk at a time."""
    for chunk in chunked(sorted(set(values))):
        yield from queryset.filter(**{f"{field}__in": chunk})
