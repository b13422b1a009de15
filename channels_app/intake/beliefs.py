"""What we believe a channel shows, moved by the channel's own orders.

A channel that sells (or restocks a cancellation) changes its own figure before we hear of it;
the intake moves our belief of that figure by the same units, so that neither compare-and-set
nor deltas count the sale twice, and flags the listing (``belief_shifted``) so that its figure
is sent again: the sale may have raced our last absolute set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from django.db import connection

from channels_app.connectors.dto import OrderDTO
from channels_app.models import ChannelAccount, Listing


def order_listing_units(*, order: OrderDTO) -> dict[str, int]:
    """Units of each of the channel's listings (by external id) an order's lines take."""
    units: dict[str, int] = defaultdict(int)
    for line in order.lines:
        if line.listing_external_id:
            units[line.listing_external_id] += line.quantity
    return units


def listings_belief_shift(*, account: ChannelAccount, units: Mapping[str, int], sign: int) -> None:
    """The channel changed its own figures (it sold, or restocked a cancellation): move what we
    believe it shows by the same units, so neither compare-and-set nor deltas count it twice."""
    table = Listing._meta.db_table
    units = {external_id: count for external_id, count in units.items() if count}
    if connection.vendor == "postgresql" and units:
        ids = sorted(units)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS l SET "  # noqa: S608
                # NULL stays NULL (GREATEST alone would make it 0), floor at 0.
                "last_pushed_qty = CASE WHEN l.last_pushed_qty IS NULL THEN NULL "
                "ELSE GREATEST(l.last_pushed_qty + v.delta, 0) END, "
                "last_seen_qty = CASE WHEN l.last_seen_qty IS NULL THEN NULL "
                "ELSE GREATEST(l.last_seen_qty + v.delta, 0) END, belief_shifted = TRUE "
                "FROM (SELECT UNNEST(%s::text[]) AS external_id, UNNEST(%s::integer[]) AS delta) AS v "
                "WHERE l.account_id = %s AND l.external_id = v.external_id",
                [ids, [sign * units[i] for i in ids], account.pk],
            )
        return
    with connection.cursor() as cursor:
        for external_id, count in units.items():
            if not count:
                continue
            cursor.execute(
                f"UPDATE {table} SET "  # noqa: S608
                # Portable SQL (PostgreSQL and the embedded SQLite): NULL stays NULL, floor at 0.
                "last_pushed_qty = CASE WHEN last_pushed_qty IS NULL THEN NULL "
                "WHEN last_pushed_qty + %s < 0 THEN 0 ELSE last_pushed_qty + %s END, "
                "last_seen_qty = CASE WHEN last_seen_qty IS NULL THEN NULL "
                "WHEN last_seen_qty + %s < 0 THEN 0 ELSE last_seen_qty + %s END, belief_shifted = TRUE "
                "WHERE account_id = %s AND external_id = %s",
                [sign * count] * 4 + [account.pk, external_id],
            )
