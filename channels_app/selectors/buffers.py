"""Adaptive buffers: what each listing's channel may still sell of a hot item before our next
figure lands there, and the quantity that keeps that risk under the account's setting.

Inputs (see :mod:`channels_app.push.risk` for the model):

* staleness - how long a change here takes to show on the channel right now: the larger of the
  account's measured confirm lag (a moving average of change-to-confirmation times of its pushes,
  queueing included) and the time the queue of dirty listings ahead takes now at the connector's
  declared pace (``Connector.push_pace``);
* demand - units per hour of the SKU on this channel and on every other one: the highest rate of
  the last minute (from 2 units), 10 minutes (from 3 units, fewer are noise), hour and day, with
  a prior of :data:`PRIOR_UNITS_PER_DAY` for an item that has not sold; and a rush on the item
  counts at its own pace: from its second order of the last :data:`BURST_WINDOW`, the orders
  after the first over the time since the first. An item's sales on one channel say how it
  sells on the others: its rate on all channels is split by this channel's share of the store's
  units of the last hour, and each side is at least its part (below :data:`SHARE_MIN_UNITS`
  units the share is unknown: only a rush is split, evenly between the channels that sold).

A listing whose channel confirms within a second, or whose item sells slowly, gets no buffer: the
risk is negligible. When two or more accounts with the buffer on list a SKU, the one whose channel
sells the most (of the store's units of the last hour) is its *lead*: it shows the rules' figure,
so the last units of a hot item stay on sale where most buyers come, while the others hold them
back (if every channel held them back, nobody could buy them; if one channel alone shows them,
no other can sell them twice). The buffer is off where the account's
``adaptive_buffer`` is off, unless the listing's own setting turns it on (and the reverse).
Listings holding units back are recomputed every few seconds (:mod:`channels_app.push.buffers`),
so a buffer shrinks back when the rush passes or the channel catches up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from channels_app.connectors.registry import connector_class_get, connector_ranks_pushes
from channels_app.models import ChannelAccount, Listing
from channels_app.push.risk import BufferDecision, BufferInputs, buffer_decide
from inventory_app.selectors.demand import (
    channels_units_ordered,
    skus_orders_since,
    skus_units_ordered_by_channel,
)

# (window, fewest units that make a rate of it)
DEMAND_WINDOWS = (
    (timedelta(minutes=1), 2),
    (timedelta(minutes=10), 3),
    (timedelta(hours=1), 1),
    (timedelta(hours=24), 1),
)
PRIOR_UNITS_PER_DAY = 0.5
# A rush on an item: from its second order in the last BURST_WINDOW, its pace is the orders
# after the first over the time since the first (at least BURST_MIN_SPAN_SECONDS).
BURST_WINDOW = timedelta(seconds=10)
BURST_MIN_SPAN_SECONDS = 1.0
# The store's units per channel over the last hour (the channels' shares, cached for
# CHANNELS_BUFFER_SHARE_CACHE_SECONDS) count from this many units.
SHARE_WINDOW = timedelta(hours=1)
SHARE_MIN_UNITS = 50


def listing_buffer_enabled(*, listing: Listing, account: ChannelAccount) -> bool:
    """The listing's own setting, else its account's."""
    return listing.adaptive_buffer if listing.adaptive_buffer is not None else account.adaptive_buffer


def account_staleness_seconds(*, account: ChannelAccount) -> tuple[float, float]:
    """(measured confirm lag, time the queue of dirty listings ahead takes) in seconds. On a
    channel that sends the updates at risk first (``RanksByDemand``), the calm ones queued are not
    ahead of a hot item: its lag (the front of the queue, see
    :func:`channels_app.push.marks.accounts_confirm_lag_record`) is all of it."""
    if connector_ranks_pushes(kind=account.kind):
        return max(float(account.confirm_lag_seconds), 0.0), 0.0
    per_second = connector_class_get(kind=account.kind).push_pace()
    dirty = Listing.objects.filter(account=account, needs_push=True, push_enabled=True).count()
    queue = dirty / per_second if per_second > 0 else 0.0
    return max(float(account.confirm_lag_seconds), 0.0), queue


def skus_demand_per_hour(
    *, sku_ids: Sequence[int], channel_id: int, now: datetime | None = None
) -> dict[int, tuple[float, float]]:
    """SKU id -> (units per hour on ``channel_id``, units per hour on every other channel), as of
    ``now`` (default: the present)."""
    now = now or timezone.now()
    counts = skus_units_ordered_by_channel(sku_ids=sku_ids, windows=[now - w for w, _ in DEMAND_WINDOWS])
    bursts = skus_orders_since(sku_ids=sku_ids, since=now - BURST_WINDOW)
    here: dict[int, list[int]] = {}
    elsewhere: dict[int, list[int]] = {}
    for (sku_id, channel), units in counts.items():
        target = here if channel == channel_id else elsewhere
        summed = target.setdefault(sku_id, [0] * len(DEMAND_WINDOWS))
        for index, value in enumerate(units):
            summed[index] += value
    prior = PRIOR_UNITS_PER_DAY / 24.0

    def rate(units: list[int] | None) -> float:
        best = prior
        for (window, fewest), value in zip(DEMAND_WINDOWS, units or (), strict=False):
            if value >= fewest:
                best = max(best, value * 3600.0 / window.total_seconds())
        return best

    share = channel_units_share(channel_id=channel_id)
    rates = {}
    for sku_id in sku_ids:
        on_here, on_others = rate(here.get(sku_id)), rate(elsewhere.get(sku_id))
        total = on_here + on_others if share.here is not None and on_here + on_others > 2 * prior else 0.0
        orders, units, first = bursts.get(sku_id, (0, 0, now))
        if orders >= 2:  # the rush on the item: its orders' pace since the first of them
            span = max((now - first).total_seconds(), BURST_MIN_SPAN_SECONDS)
            total = max(total, (orders - 1) / span * (units / orders) * 3600.0)
        split = share.here if share.here is not None else 1.0 / share.channels
        rates[sku_id] = (max(on_here, total * split), max(on_others, total * (1.0 - split)))
    return rates


@dataclass(frozen=True)
class ChannelShare:
    """This channel's share of the store's units of the last hour (None below
    :data:`SHARE_MIN_UNITS` units) and how many channels sold (at least 2)."""

    here: float | None
    channels: int


def _store_channel_units() -> dict[int, int]:
    """Sales channel id -> units the store sold there in the last hour (cached for
    ``CHANNELS_BUFFER_SHARE_CACHE_SECONDS``)."""
    seconds = float(settings.CHANNELS_BUFFER_SHARE_CACHE_SECONDS)
    units = cache.get("buffers:channel-units") if seconds > 0 else None
    if units is None:
        units = channels_units_ordered(since=timezone.now() - SHARE_WINDOW)
        if seconds > 0:
            cache.set("buffers:channel-units", units, seconds)
    return units


def channel_units_share(*, channel_id: int) -> ChannelShare:
    """How an item's buyers split between this sales channel and the others: its share of the
    units the store sold in the last hour. Cached for a few seconds (one small query)."""
    units = _store_channel_units()
    total = sum(units.values())
    channels = max(len(units | {channel_id: 0}), 2)
    return ChannelShare(
        here=units.get(channel_id, 0) / total if total >= SHARE_MIN_UNITS else None, channels=channels
    )


def skus_lead_accounts(*, sku_ids: Sequence[int]) -> dict[int, int]:
    """SKU id -> the account id that leads it: of the enabled accounts with the adaptive buffer
    on that list the SKU (pushed), the one whose sales channel sold the most units of the store's
    last hour (then the lowest id): the last units go where the most buyers come, and the choice
    holds still while lags move. SKUs listed on fewer than two such accounts are absent (no lead:
    each listing is buffered)."""
    rows = (
        Listing.objects.filter(
            sku_id__in=list(sku_ids), push_enabled=True, account__enabled=True, account__adaptive_buffer=True
        )
        .values_list("sku_id", "account_id", "account__sales_channel_id")
        .distinct()
    )
    units = _store_channel_units()
    listed: dict[int, dict[int, int]] = {}
    for sku_id, account_id, channel_id in rows:
        listed.setdefault(sku_id, {})[account_id] = units.get(channel_id, 0)
    return {
        sku_id: min(accounts, key=lambda account_id: (-accounts[account_id], account_id))
        for sku_id, accounts in listed.items()
        if len(accounts) >= 2
    }


def listings_buffer_decisions(
    *,
    account: ChannelAccount,
    listings: Sequence[Listing],
    available: Mapping[int, int],
    rules_quantities: Mapping[int, int],
) -> dict[int, BufferDecision]:
    """Listing id -> its buffer decision, for the linked listings of ``account`` whose adaptive
    buffer is on and whose rules publish something. ``available``: SKU id -> units available to
    sell; ``rules_quantities``: listing id -> what the rules publish."""
    chosen = [
        item
        for item in listings
        if item.sku_id
        and rules_quantities.get(item.pk, 0) > 0
        and listing_buffer_enabled(listing=item, account=account)
    ]
    if not chosen:
        return {}
    lag, queue = account_staleness_seconds(account=account)
    demand = skus_demand_per_hour(
        sku_ids=sorted({item.sku_id for item in chosen}), channel_id=account.sales_channel_id
    )
    leads = skus_lead_accounts(sku_ids=sorted({item.sku_id for item in chosen}))
    max_risk = float(account.oversell_risk_percent) / 100.0
    decisions = {}
    for item in chosen:
        here, elsewhere = demand[item.sku_id]
        decisions[item.pk] = buffer_decide(
            lead=leads.get(item.sku_id) == account.pk,
            inputs=BufferInputs(
                available=available.get(item.sku_id, 0),
                rules_quantity=rules_quantities[item.pk],
                stale_seconds=max(lag, queue),
                channel_per_hour=here,
                others_per_hour=elsewhere,
                max_risk=max_risk,
                lag_seconds=lag,
                queue_seconds=queue,
            ),
        )
    return decisions


def buffer_decision_text(*, decision: BufferDecision, max_risk_percent: float) -> str:
    """A buffer decision in words staff can check (the published-quantity explanation)."""
    inputs = decision.inputs
    if decision.lead:
        return (
            f"adaptive buffer 0: of the channels listing this item this one sells the most, so it "
            f"keeps the last units while the others hold them back; oversell risk "
            f"{decision.risk * 100:.2f} % while it sells {inputs.channel_per_hour:.1f}/h there and "
            f"{inputs.others_per_hour:.1f}/h elsewhere"
        )
    return (
        f"adaptive buffer {decision.buffer}: the channel may show this figure for "
        f"{inputs.stale_seconds:.0f} s (measured lag {inputs.lag_seconds:.0f} s, queue "
        f"{inputs.queue_seconds:.0f} s) while it sells {inputs.channel_per_hour:.1f}/h there and "
        f"{inputs.others_per_hour:.1f}/h elsewhere; oversell risk {decision.risk * 100:.2f} % "
        f"(at most {max_risk_percent:g} %)"
    )
