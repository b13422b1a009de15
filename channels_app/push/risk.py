"""Adaptive safety buffers: the largest quantity a channel may show while its figure is stale.

A channel's figure lags ours: the time from a change here to the channel confirming the new
figure (measured per account), plus the queue of pushes ahead of it. During that window buyers on
every channel keep buying. Demand is modelled as independent Poisson streams: ``N_c`` units on
this channel, ``N_o`` on all the others, with means ``rate * window``. Publishing ``q`` units
(of ``available`` true units) oversells on this channel when the channel sells more units than
are left after the other channels' sales::

    risk(q) = P(min(N_c, q) > max(available - N_o, 0))

``risk`` grows with ``q``; :func:`buffer_decide` publishes the largest ``q`` no larger than the
rules' figure whose risk stays at or under the seller's setting, and reports the buffer
(rules' figure - q), its inputs and the risk it holds. A fast channel (a window of a second) or
a slow item gets no buffer: the risk is already negligible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class BufferInputs:
    """What one listing's buffer is computed from."""

    available: int  # units we can sell now (all channels)
    rules_quantity: int  # what the listing's rules publish (the ceiling)
    stale_seconds: float  # how long until the next figure lands on the channel
    channel_per_hour: float  # units per hour this SKU sells on this channel
    others_per_hour: float  # units per hour it sells on every other channel
    max_risk: float  # the chance of an oversell the seller accepts (0.01 = 1 %)
    lag_seconds: float = 0.0  # of stale_seconds: the channel's measured confirm lag
    queue_seconds: float = 0.0  # of stale_seconds: the pushes queued ahead


@dataclass(frozen=True)
class BufferDecision:
    """The quantity to publish, the buffer held back and the risk at that quantity."""

    quantity: int
    buffer: int
    risk: float
    inputs: BufferInputs


def _poisson_pmf(mean: float, count: int) -> list[float]:
    """P(N = k) for k in 0..count of a Poisson(mean) variable."""
    if mean <= 0:
        return [1.0] + [0.0] * count
    pmf = [math.exp(-mean)]
    for k in range(1, count + 1):
        pmf.append(pmf[-1] * mean / k)
    if pmf[0] == 0.0:  # very large mean: work in logs
        pmf = [math.exp(k * math.log(mean) - mean - math.lgamma(k + 1)) for k in range(count + 1)]
    return pmf


def oversell_risk(*, quantity: int, available: int, channel_mean: float, others_mean: float) -> float:
    """``P(min(N_c, quantity) > max(available - N_o, 0))`` for Poisson ``N_c``, ``N_o``."""
    if quantity <= 0:
        return 0.0
    available = max(available, 0)
    channel = _poisson_pmf(channel_mean, available + 1)
    others = _poisson_pmf(others_mean, available + 1)
    channel_tail = [1.0] * (available + 2)  # channel_tail[m] = P(N_c > m)
    running = 0.0
    for m in range(available + 1):
        running += channel[m]
        channel_tail[m] = max(1.0 - running, 0.0)
    risk = 0.0
    others_seen = 0.0
    for k in range(available + 1):  # N_o = k leaves available - k units
        others_seen += others[k]
        left = available - k
        if left < quantity:
            risk += others[k] * channel_tail[left]
    # N_o > available: nothing is left, any sale here oversells.
    risk += max(1.0 - others_seen, 0.0) * channel_tail[0]
    return min(risk, 1.0)


def shown_oversell_risk(
    *, shown: int, available: int, stale_seconds: float, channel_per_hour: float, others_per_hour: float
) -> float:
    """The chance that the figure the channel shows now (``shown``) oversells before our update
    lands ``stale_seconds`` from now (:func:`oversell_risk` of ``shown``): the order in which a
    quota-bound channel's pushes are sent, on the adaptive buffer's model."""
    hours = max(stale_seconds, 0.0) / 3600.0
    return oversell_risk(
        quantity=shown,
        available=available,
        channel_mean=max(channel_per_hour, 0.0) * hours,
        others_mean=max(others_per_hour, 0.0) * hours,
    )


def buffer_decide(*, inputs: BufferInputs) -> BufferDecision:
    """The largest quantity up to ``inputs.rules_quantity`` whose oversell risk is at most
    ``inputs.max_risk`` (see the module docstring)."""
    ceiling = max(min(inputs.rules_quantity, max(inputs.available, 0)), 0)
    hours = max(inputs.stale_seconds, 0.0) / 3600.0
    channel_mean = max(inputs.channel_per_hour, 0.0) * hours
    others_mean = max(inputs.others_per_hour, 0.0) * hours

    def risk_at(quantity: int) -> float:
        return oversell_risk(
            quantity=quantity, available=inputs.available, channel_mean=channel_mean, others_mean=others_mean
        )

    risk = risk_at(ceiling)
    if risk <= inputs.max_risk:
        return BufferDecision(quantity=max(inputs.rules_quantity, 0), buffer=0, risk=risk, inputs=inputs)
    low, high = 0, ceiling  # risk(low) <= max_risk (risk(0) = 0), risk(high) > max_risk
    while high - low > 1:
        middle = (low + high) // 2
        if risk_at(middle) <= inputs.max_risk:
            low = middle
        else:
            high = middle
    return BufferDecision(
        quantity=low, buffer=max(inputs.rules_quantity, 0) - low, risk=risk_at(low), inputs=inputs
    )
