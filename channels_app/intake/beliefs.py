"""What we believe a channel shows, moved by the channel's own orders.

A channel that sells (or restocks a cancellation) changes its own figure before we hear of it;
the intake moves our belief of that figure by the same units, so that neither compare-and-set
nor deltas count the sale twice, and flags the listing (``belief_shifted``) so that its figure
is sent again: the sale may have raced our last absolute set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from channels_app.connectors.dto import OrderDTO
from channels_app.connectors.registry import connector_class_get
from channels_app.models import ChannelAccount, Listing


def order_listing_units(*, order: OrderDTO) -> dict[str, int]:
    """Units of each of the channel's listings (by external id) an order's lines take."""
    units: dict[str, int] = defaultdict(int)
    for line in order.lines:
        if line.listing_external_id:
            units[line.listing_external_id] += line.quantity
    return units


def _race_threshold(*, account: ChannelAccount, sold_at: datetime | None) -> datetime | None:
    """Pushes confirmed before this time cannot have overwritten a sale made at ``sold_at`` (the
    channel applied them before it; ``Connector.set_lands_within_seconds``); None: any may have."""
    settles = connector_class_get(kind=account.kind).set_lands_within_seconds
    if sold_at is None or settles is None:
        return None
    return sold_at - timedelta(seconds=settles)


def listings_belief_shift(
    *, account: ChannelAccount, units: Mapping[str, int], sign: int, sold_at: datetime | None = None
) -> None:
    """The channel changed its own figures (it sold, or restocked a cancellation): move what we
    believe it shows by the same units, so neither compare-and-set nor deltas count it twice.

    The listings are flagged to be sent again (``belief_shifted``) in case the change raced our
    last absolute set, unless the channel declares how soon its sets land and the sale
    (``sold_at``) came after ours had landed: then the channel deducted the sale from our figure
    and the shifted belief is exact, so no call is spent on it. Runs inside an intake, which
    holds these listings' locks already (``channels_app.intake.batch.intake_rows_lock``)."""
    table = Listing._meta.db_table
    units = {external_id: count for external_id, count in units.items() if count}
    threshold = _race_threshold(account=account, sold_at=sold_at)
    shifted, raced = "TRUE", "TRUE"
    extra = []
    if threshold is not None:
        raced = "(belief_shifted OR last_pushed_at IS NULL OR last_pushed_at >= %s)"
        shifted = "(l.belief_shifted OR l.last_pushed_at IS NULL OR l.last_pushed_at >= %s)"
        extra = [connection.ops.adapt_datetimefield_value(threshold)]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    if connection.vendor == "postgresql" and units:
        ids = sorted(units)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS l SET "  # noqa: S608
                # NULL stays NULL (GREATEST alone would make it 0), floor at 0.
                "last_pushed_qty = CASE WHEN l.last_pushed_qty IS NULL THEN NULL "
                "ELSE GREATEST(l.last_pushed_qty + v.delta, 0) END, "
                "last_seen_qty = CASE WHEN l.last_seen_qty IS NULL THEN NULL "
                f"ELSE GREATEST(l.last_seen_qty + v.delta, 0) END, belief_shifted = {shifted}, "
                "updated_at = %s "
                "FROM (SELECT UNNEST(%s::text[]) AS external_id, UNNEST(%s::integer[]) AS delta) AS v "
                "WHERE l.account_id = %s AND l.external_id = v.external_id",
                [*extra, now, ids, [sign * units[i] for i in ids], account.pk],
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
                f"WHEN last_seen_qty + %s < 0 THEN 0 ELSE last_seen_qty + %s END, belief_shifted = {raced}, "
                "updated_at = %s "
                "WHERE account_id = %s AND external_id = %s",
                [sign * count] * 4 + extra + [now, account.pk, external_id],
            )
