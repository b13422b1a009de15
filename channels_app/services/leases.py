"""Leases on a sync cursor: one poll (or queue consumer) per account and stream at a time.

A lease is a time on the cursor row (``leased_until``) and the worker node holding it
(``leased_by``). Taking it is one conditional UPDATE, so two workers never both hold it; a
worker that dies lets it run out, or releases it when it starts again
(``worker_claims_release``).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from channels_app.models import SyncCursor
from inventory_app.services.leases import row_lease_take


def sync_cursor_lease_take(*, cursor_row: SyncCursor, claimer: str, lease: timedelta) -> bool:
    """Take the cursor's lease for ``lease`` (free or run out); False if someone holds it."""
    return row_lease_take(
        rows=SyncCursor.objects.filter(pk=cursor_row.pk),
        until_field="leased_until",
        holder_field="leased_by",
        holder=claimer,
        lease=lease,
    )


def sync_cursor_lease_renew(*, cursor_row: SyncCursor, lease: timedelta) -> None:
    """Push the end of a lease we hold ``lease`` from now."""
    SyncCursor.objects.filter(pk=cursor_row.pk).update(leased_until=timezone.now() + lease)


def sync_cursor_lease_release(*, cursor_row: SyncCursor) -> None:
    """Give the lease back."""
    SyncCursor.objects.filter(pk=cursor_row.pk).update(leased_until=None)


def sync_cursor_leases_release(*, claimer: str) -> int:
    """Release every live lease ``claimer`` (a worker node) holds; return how many."""
    return SyncCursor.objects.filter(leased_by=claimer, leased_until__gt=timezone.now()).update(
        leased_until=None
    )
