"""Adaptive buffers: what each listing's channel may still sell of a hot item before our next
figure lands there, and the quantity that keeps that risk under the account's setting.

Inputs (see :mod:`channels_app.push.risk` for the model):

* staleness - how long a change here takes to show on the channel right now: the larger of the
  account's measured confirm lag (a moving average of change-to-confirmation times of its pushes,
  queueing included) and the time the queue of dirty listings ahead takes now at the connector's
  declared pace (``Connector.push_pace``);
* demand - units per hour of the SKU on this channel and on every other one: the highest rate of
  the last minute (counted from 2 units: a burst), 10 minutes (from 3 units, fewer are noise),
  hour and day, with a prior of :data:`PRIOR_UNITS_PER_DAY` for an item that has not sold.

A listing whose channel confirms within a second, or whose item sells slowly, gets no buffer: the
risk is negligible. The buffer is off where the account's ``adaptive_buffer`` is off, unless the
listing's own setting turns it on (and the reverse).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from django.utils import timezone

from channels_app.connectors.registry import connector_class_get
from channels_app.models import ChannelAccount, Listing
from channels_app.push.risk import BufferDecision, BufferInputs, buffer_decide
from inventory_app.selectors.demand import skus_units_ordered_by_channel

# (window, fewest units that make a rate of it)
DEMAND_WINDOWS = (
    (timedelta(minutes=1), 2),
    (timedelta(minutes=10), 3),
    (timedelta(hours=1), 1),
    (timedelta(hours=24), 1),
)
PRIOR_UNITS_PER_DAY = 0.5


def listing_buffer_enabled(*, listing: Listing, account: ChannelAccount) -> bool:
    """The listing's own setting, else its account's."""
    return listing.adaptive_buffer if listing.adaptive_buffer is not None else account.adaptive_buffer


def account_staleness_seconds(*, account: ChannelAccount) -> tuple[float, float]:
    """(measured confirm lag, time the queue of dirty listings ahead takes) in seconds."""
    per_second = connector_class_get(kind=account.kind).push_pace()
    dirty = Listing.objects.filter(account=account, needs_push=True, push_enabled=True).count()
    queue = dirty / per_second if per_second > 0 else 0.0
    return max(float(account.confirm_lag_seconds), 0.0), queue


def skus_demand_per_hour(*, sku_ids: Sequence[int], channel_id: int) -> dict[int, tuple[float, float]]:
    """SKU id -> (units per hour on ``channel_id``, units per hour on every other channel)."""
    now = timezone.now()
    counts = skus_units_ordered_by_channel(sku_ids=sku_ids, windows=[now - w for w, _ in DEMAND_WINDOWS])
    here: dict[int, list[int]] = {}
    elsewhere: dict[int, list[int]] = {}
    for (sku_id, channel), units in counts.items():
        target = here if channel == channel_id else elsewhere
        summed = target.setdefault(sku_id, [0] * len(DEMAND_WINDOWS))
        for index, value in enumerate(units):
            summed[index] += value
    return {
        sku_id: (
            demand_units_per_hour(window_units=here.get(sku_id)),
            demand_units_per_hour(window_units=elsewhere.get(sku_id)),
        )
        for sku_id in sku_ids
    }


def demand_units_per_hour(*, window_units: Sequence[int] | None) -> float:
    """The demand rate of units sold in each of :data:`DEMAND_WINDOWS` (same order): the highest
    rate among the windows with at least their fewest units, never below the prior."""
    best = PRIOR_UNITS_PER_DAY / 24.0
    for (window, fewest), value in zip(DEMAND_WINDOWS, window_units or (), strict=False):
        if value >= fewest:
            best = max(best, value * 3600.0 / window.total_seconds())
    return best


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
    max_risk = float(account.oversell_risk_percent) / 100.0
    decisions = {}
    for item in chosen:
        here, elsewhere = demand[item.sku_id]
        decisions[item.pk] = buffer_decide(
            inputs=BufferInputs(
                available=available.get(item.sku_id, 0),
                rules_quantity=rules_quantities[item.pk],
                stale_seconds=max(lag, queue),
                channel_per_hour=here,
                others_per_hour=elsewhere,
                max_risk=max_risk,
                lag_seconds=lag,
                queue_seconds=queue,
            )
        )
    return decisions


def buffer_decision_text(*, decision: BufferDecision, max_risk_percent: float) -> str:
    """A buffer decision in words staff can check (the published-quantity explanation)."""
    inputs = decision.inputs
    return (
        f"adaptive buffer {decision.buffer}: the channel may show this figure for "
        f"{inputs.stale_seconds:.0f} s (measured lag {inputs.lag_seconds:.0f} s, queue "
        f"{inputs.queue_seconds:.0f} s) while it sells {inputs.channel_per_hour:.1f}/h there and "
        f"{inputs.others_per_hour:.1f}/h elsewhere; oversell risk {decision.risk * 100:.2f} % "
        f"(at most {max_risk_percent:g} %)"
    )
