"""Row leases: "one holder at a time" on any row, on PostgreSQL and the embedded SQLite alike.

A lease is two columns of a row: until when it is held (a nullable datetime) and by whom (a
string). Taking it is one conditional ``UPDATE`` (free, or run out), so two processes never both
hold it, whatever the database; a holder that dies lets it run out. Renewing and releasing check
the holder, so a process whose lease ran out and was taken over cannot extend or free the new
holder's lease. Integration apps use these helpers on their own models (the core imports none).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone


def row_lease_take(
    *, rows: QuerySet, until_field: str, holder_field: str, holder: str, lease: timedelta
) -> bool:
    """Take the lease of ``rows`` (one row, filtered by pk) for ``lease``; False if someone holds it."""
    now = timezone.now()
    free = Q(**{f"{until_field}__isnull": True}) | Q(**{f"{until_field}__lt": now})
    return bool(rows.filter(free).update(**{until_field: now + lease, holder_field: holder[:255]}))


def row_lease_renew(
    *, rows: QuerySet, until_field: str, holder_field: str, holder: str, lease: timedelta
) -> bool:
    """Push the end of a lease ``holder`` still holds ``lease`` from now; False if another holder
    took it over (a lease that ran out but was not taken is still ours)."""
    held = rows.filter(**{holder_field: holder[:255]}).exclude(**{f"{until_field}__isnull": True})
    return bool(held.update(**{until_field: timezone.now() + lease}))


def row_lease_release(*, rows: QuerySet, until_field: str, holder_field: str, holder: str) -> bool:
    """Give back a lease ``holder`` holds (a lease taken over by someone else is left alone)."""
    return bool(rows.filter(**{holder_field: holder[:255]}).update(**{until_field: None}))
