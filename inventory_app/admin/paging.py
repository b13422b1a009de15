"""Paging of the admin's large lists: no table scan just to count rows.

An unfiltered list of a large table counts with PostgreSQL's planner estimate (``reltuples``,
kept by autovacuum's ANALYZE) instead of ``COUNT(*)``; a filtered or searched one whose planner
estimate (EXPLAIN) is large does too. A list the planner expects to be small, a small table or
another database counts exactly, without the list's ordering and annotations. Used with
``show_full_result_count = False`` (no second count).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

from inventory_app.selectors.estimates import query_rows_estimate

ESTIMATE_ABOVE = 50_000  # below this an exact count is cheap


def table_rows_estimate(*, queryset) -> int | None:
    """The planner's row estimate of the queryset's table (PostgreSQL), or None."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] and row[0] > 0 else None


class EstimatedCountPaginator(Paginator):
    """Counts a queryset of a large table from the planner's estimate when that is large."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return super().count
        if not queryset.query.where and not queryset.query.distinct:
            estimate = table_rows_estimate(queryset=queryset)
        else:
            estimate = query_rows_estimate(queryset=queryset)
        if estimate is not None and estimate > ESTIMATE_ABOVE:
            return estimate
        # Only the rows matter to a count: no ordering, no per-row figures (a correlated
        # subquery of the list would otherwise be computed for every row counted).
        return queryset.order_by().values("pk").count()
