"""Listing row locks taken in one order, so that writers of overlapping listings never deadlock.

An UPDATE of many rows locks them in whatever order its plan visits them: by SKU for the
outbox's marking, by the channel's answers for a push's results. Two such transactions over
overlapping listings (a hot component's kits on every channel) can each hold a row the other
waits for; PostgreSQL then finds the cycle only after ``deadlock_timeout`` (1 s by default) and
aborts one of them, which loses that second and the aborted work until it is retried. Every
transaction that updates several listings therefore locks them first, in primary-key order, as
the intake batch already does (``channels_app.intake.batch``): such transactions at most wait
for one another, never in a cycle. Row locks last until the caller's transaction ends, so the
caller must be inside one.

PostgreSQL only: the embedded SQLite serialises writers (``BEGIN IMMEDIATE``), so there is no
order to keep; :func:`listings_lock` does nothing there and callers of
:func:`listings_lock_markable` take SQLite's own path.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from channels_app.models import ChannelAccount, Listing


def listings_lock(*, ids: Iterable[int]) -> None:
    """Lock the listings ``ids`` in primary-key order (within the caller's transaction)."""
    ordered = sorted(set(ids))
    if not ordered or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Listing._meta.db_table} WHERE id = ANY(%s) ORDER BY id FOR UPDATE",  # noqa: S608
            [ordered],
        )


def listings_lock_markable(*, sku_ids: Iterable[int]) -> list[int]:
    """Lock, in primary-key order, the pushable listings of ``sku_ids`` on enabled accounts (the
    ones :func:`channels_app.push.outbox.listings_mark_dirty` marks); return their ids.
    PostgreSQL only."""
    ordered = sorted(set(sku_ids))
    if not ordered:
        return []
    listing, account = Listing._meta.db_table, ChannelAccount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT l.id FROM {listing} AS l JOIN {account} AS a ON a.id = l.account_id "  # noqa: S608
            "WHERE a.enabled AND l.push_enabled AND l.sku_id = ANY(%s) ORDER BY l.id FOR UPDATE OF l",
            [ordered],
        )
        return [row[0] for row in cursor.fetchall()]
