"""Seeded buyer intents and the ground truth (the oversell definition)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bench.rush.catalog import Catalog, Item


@dataclass(frozen=True)
class Intent:
    """A buyer who, at ``at`` seconds into the run, wants ``qty`` of ``item`` on ``channel``.

    The buyer only buys if the channel shows at least ``qty`` at that moment (else walks away).
    The intent stream depends only on the seed, so the baseline replays exactly the same buyers.
    """

    at: float
    channel: str
    item: Item
    qty: int


def intents_build(
    *, seed: int, catalog: Catalog, channels: list[str], shares: list[float], rate: float, seconds: float
) -> list[Intent]:
    """Poisson arrivals at ``rate`` a second for ``seconds``, items drawn by popularity."""
    rng = random.Random(seed * 7919 + 1)
    intents, t = [], 0.0
    while True:
        t += rng.expovariate(rate)
        if t >= seconds:
            return intents
        item = rng.choices(catalog.items, weights=catalog.weights)[0]
        channel = rng.choices(channels, weights=shares)[0]
        qty = 1 if rng.random() < 0.85 else 2
        intents.append(Intent(at=t, channel=channel, item=item, qty=qty))


def withheld_units(*, catalog: Catalog, remaining: dict[str, int], intent: Intent) -> int:
    """Units a buyer who walked away could have had: the intent's quantity when the true stock
    (``remaining``, what honest sales left) could serve it although the channel showed less (a
    buffer or a stale low figure), else 0."""
    return intent.qty if catalog.ats(intent.item, remaining) >= intent.qty else 0


def oversold_units(*, catalog: Catalog, sales: list[tuple], only: str | None = None) -> int:
    """Units sold when the true stock was already gone.

    ``sales`` are the orders the channels accepted (time, item, quantity[, channel]), from the
    fakes' order logs; with ``only``, the oversold units of that channel's sales are counted (every
    channel's sales still consume the stock). Walking them in time order against the initial
    stock, a sale of ``q`` units of an item whose true available-to-sell (min over its components
    of remaining // units per item) is ``a`` oversells ``max(0, q - a)`` units; only the
    ``min(q, a)`` honest units consume stock.
    """
    remaining = dict(catalog.stock)
    oversold = 0
    for sale in sorted(sales, key=lambda s: s[0]):
        _, item, qty = sale[:3]
        honest = min(qty, catalog.ats(item, remaining))
        if only is None or (len(sale) > 3 and sale[3] == only):
            oversold += qty - honest
        for code, per in item.components:
            remaining[code] -= honest * per
    return oversold


def oversold_sales(*, catalog: Catalog, sales: list[tuple]) -> list[dict]:
    """Each accepted sale that oversold (the same walk as :func:`oversold_units`): when and where,
    the item, the units beyond the truth, and ``stale_s``, how long before the sale the truth had
    fallen below what was bought (the last honest sale of one of its components): how late the
    channel's figure was."""
    remaining = dict(catalog.stock)
    last_sold: dict[str, float] = {}
    found = []
    for sale in sorted(sales, key=lambda s: s[0]):
        at, item, qty = sale[:3]
        honest = min(qty, catalog.ats(item, remaining))
        if qty > honest:
            dropped = max((last_sold.get(code, 0.0) for code, _ in item.components), default=0.0)
            found.append({
                "at": round(at, 2), "channel": sale[3] if len(sale) > 3 else "", "item": item.code,
                "kit": item.is_kit, "units": qty - honest, "stale_s": round(at - dropped, 2),
            })  # fmt: skip
        for code, per in item.components:
            if honest:
                remaining[code] -= honest * per
                last_sold[code] = at
    return found
