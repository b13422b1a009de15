"""What each listing should publish: availability over the account's locations, then its rules,
then its adaptive buffer.

Order of the rules (the one staff read in the explanation): take the percentage of available
(rounded down), hold back the buffer, cap at the maximum, and publish 0 below the minimum. E.g.
on hand 20 - committed 6 = 14; 70 % = 9; buffer 2 = 7; cap 10 = 7. The adaptive buffer
(``selectors.buffers``) may then hold back more of a hot item on a channel whose figure lags.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Sum

from channels_app.models import ChannelAccount, Listing
from channels_app.push.risk import shown_oversell_risk
from channels_app.selectors.buffers import (
    account_staleness_seconds,
    buffer_decision_text,
    listings_buffer_decisions,
    skus_demand_per_hour,
)
from inventory_app.models import StockLevel
from inventory_app.selectors.availability import sku_available_to_sell
from inventory_app.selectors.kits import kit_components_flatten


@dataclass(frozen=True)
class PublishRules:
    """The rules that apply to one listing (its own, else its account's)."""

    buffer: int
    percentage: int
    max_published: int | None
    min_published: int


def listing_rules(*, listing: Listing, account: ChannelAccount) -> PublishRules:
    """The effective rules of ``listing``: each field its own if set, else the account's."""
    return PublishRules(
        buffer=listing.buffer if listing.buffer is not None else account.buffer,
        percentage=listing.percentage if listing.percentage is not None else account.percentage,
        max_published=listing.max_published if listing.max_published is not None else account.max_published,
        min_published=listing.min_published if listing.min_published is not None else account.min_published,
    )


def quantity_publish(*, available: int, rules: PublishRules) -> int:
    """Apply ``rules`` to ``available`` units; never negative."""
    qty = max(available, 0) * rules.percentage // 100
    qty -= rules.buffer
    if rules.max_published is not None:
        qty = min(qty, rules.max_published)
    if qty < rules.min_published:
        qty = 0
    return max(qty, 0)


def account_location_ids(*, account: ChannelAccount) -> list[int] | None:
    """Locations feeding the account (None: every active sellable location)."""
    ids = list(account.locations.filter(is_active=True).values_list("pk", flat=True))
    return ids or None


def listings_published_quantities(*, account: ChannelAccount, listings: Sequence[Listing]) -> dict[int, int]:
    """Map listing id to the quantity it should publish now (linked listings only)."""
    sku_ids = {listing.sku_id for listing in listings if listing.sku_id}
    if not sku_ids:
        return {}
    available = sku_available_to_sell(sku_ids=sku_ids, location_ids=account_location_ids(account=account))
    wanted = {
        listing.pk: quantity_publish(
            available=available.get(listing.sku_id, 0), rules=listing_rules(listing=listing, account=account)
        )
        for listing in listings
        if listing.sku_id
    }
    decisions = listings_buffer_decisions(
        account=account, listings=listings, available=available, rules_quantities=wanted
    )
    for listing_id, decision in decisions.items():
        wanted[listing_id] = decision.quantity
    return wanted


def listings_push_risks(
    *, account: ChannelAccount, listings: Sequence[Listing], shown: Mapping[int, int | None]
) -> dict[int, float]:
    """Listing id -> the chance that what the channel shows now (``shown``: listing id -> our
    belief, None when unknown: then the whole available figure) is oversold before a push sent
    behind the account's queue lands (:func:`channels_app.push.risk.shown_oversell_risk`, the
    adaptive buffer's model and inputs): how a quota-bound channel ranks its pushes."""
    sku_ids = sorted({item.sku_id for item in listings if item.sku_id})
    if not sku_ids:
        return {}
    available = sku_available_to_sell(sku_ids=sku_ids, location_ids=account_location_ids(account=account))
    demand = skus_demand_per_hour(sku_ids=sku_ids, channel_id=account.sales_channel_id)
    stale = max(account_staleness_seconds(account=account))
    risks = {}
    for item in listings:
        if not item.sku_id:
            continue
        left = available.get(item.sku_id, 0)
        figure = shown.get(item.pk)
        here, elsewhere = demand[item.sku_id]
        risks[item.pk] = shown_oversell_risk(
            shown=left if figure is None else figure,
            available=left,
            stale_seconds=stale,
            channel_per_hour=here,
            others_per_hour=elsewhere,
        )
    return risks


def _levels_text(*, sku_ids: Iterable[int], location_ids: list[int] | None) -> tuple[int, int, str]:
    qs = StockLevel.objects.filter(sku_id__in=list(sku_ids), location__is_active=True)
    qs = (
        qs.filter(location_id__in=location_ids)
        if location_ids is not None
        else qs.filter(location__is_sellable=True)
    )
    totals = qs.aggregate(on_hand=Sum("on_hand"), committed=Sum("committed"))
    codes = sorted(set(qs.values_list("location__code", flat=True)))
    return totals["on_hand"] or 0, totals["committed"] or 0, "+".join(codes) or "no location"


def listing_quantity_explain(*, listing: Listing) -> str:
    """Why ``listing`` publishes what it does, in words staff can check.

    E.g. "on hand 20 - committed 6 at A+B, buffer 2, 70 %, capped at 10 = 7".
    """
    account = listing.account
    if listing.sku_id is None:
        return "not linked to a SKU: nothing is published"
    if not listing.push_enabled:
        return "pushing is switched off for this listing"
    location_ids = account_location_ids(account=account)
    rules = listing_rules(listing=listing, account=account)
    available = sku_available_to_sell(sku_ids=[listing.sku_id], location_ids=location_ids).get(
        listing.sku_id, 0
    )
    if listing.sku.is_kit:
        recipe = kit_components_flatten(kit_ids=[listing.sku_id])[listing.sku_id]
        _, _, where = _levels_text(sku_ids=recipe, location_ids=location_ids)
        parts = [f"kit: {available} buildable from components at {where}"]
    else:
        on_hand, committed, where = _levels_text(sku_ids=[listing.sku_id], location_ids=location_ids)
        parts = [f"on hand {on_hand} - committed {committed} at {where}"]
    if rules.buffer:
        parts.append(f"buffer {rules.buffer}")
    if rules.percentage != 100:
        parts.append(f"{rules.percentage} %")
    if rules.max_published is not None:
        parts.append(f"capped at {rules.max_published}")
    if rules.min_published:
        parts.append(f"0 below {rules.min_published}")
    ruled = quantity_publish(available=available, rules=rules)
    text = f"{', '.join(parts)} = {ruled}"
    decision = listings_buffer_decisions(
        account=account,
        listings=[listing],
        available={listing.sku_id: available},
        rules_quantities={listing.pk: ruled},
    ).get(listing.pk)
    if decision is not None and decision.buffer:
        described = buffer_decision_text(
            decision=decision, max_risk_percent=float(account.oversell_risk_percent)
        )
        text = f"{text}; {described} = {decision.quantity}"
    note = _staleness_note(account=account)
    return f"{text}; {note}" if note else text


def _staleness_note(*, account: ChannelAccount) -> str:
    """How stale the channel's figure may be, for connectors that declare it (``staleness_note``,
    formatted with the account's ``poll`` interval in seconds and its ``buffer``)."""
    from channels_app.connectors.registry import connector_class_get

    try:
        note = getattr(connector_class_get(kind=account.kind), "staleness_note", "")
    except LookupError:
        return ""
    return note.format(poll=account.poll_interval_seconds, buffer=account.buffer) if note else ""


def listings_targets(*, listings: Sequence[Listing]) -> dict[int, int]:
    """Listing id -> the quantity it should publish now, for listings of any accounts (one
    availability query per account among them); unlinked or push-disabled listings left out."""
    by_account: dict[int, list[Listing]] = {}
    for listing in listings:
        if listing.sku_id and listing.push_enabled:
            by_account.setdefault(listing.account_id, []).append(listing)
    accounts = ChannelAccount.objects.in_bulk(by_account.keys())
    targets: dict[int, int] = {}
    for account_id, rows in by_account.items():
        targets.update(listings_published_quantities(account=accounts[account_id], listings=rows))
    return targets


def listing_channel_shows(*, listing: Listing) -> int | None:
    """What the channel shows, as far as we know: the figure read back from it if that reading
    is newer than our last push, else what we pushed (None: neither)."""
    seen, pushed = listing.last_seen_at, listing.last_pushed_at
    if listing.last_seen_qty is not None and (pushed is None or (seen is not None and seen >= pushed)):
        return listing.last_seen_qty
    return listing.last_pushed_qty
