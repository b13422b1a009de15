"""What PostgreSQL's planner expects of a query, without running it: for choosing between ways
of reading, and for the admin's counts of large lists."""

from __future__ import annotations

import json

from django.db import connections


def query_rows_estimate(*, queryset) -> int | None:
    """The planner's estimate of the queryset's rows (PostgreSQL: EXPLAIN, nothing run), or None."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])
