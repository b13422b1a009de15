"""The 15-minute baseline, as a discrete simulation over the very same buyer intents.

Channel semantics are the fakes': a channel shows a quantity per item, a buyer buys only if it
shows at least the quantity wanted, and a sale lowers that channel's own figure at once. The
baseline tool, every ``interval`` seconds of the run's clock (first tick at ``interval``), polls
the orders placed since its last tick into its ledger and pushes every item's true
available-to-sell to every channel. At t=0 every channel shows the true figure (first push done),
as in the real run. Oversold units are counted from the accepted sales with the same function
as the real run (bench.rush.traffic.oversold_units).
"""

from __future__ import annotations

from bench.rush.catalog import Catalog
from bench.rush.traffic import Intent, oversold_units, withheld_units


def baseline_run(*, catalog: Catalog, intents: list[Intent], channels: list[str], interval: float) -> dict:
    """Replay ``intents`` against the polling baseline; return sales and oversold units."""
    remaining = dict(catalog.stock)  # the baseline's ledger (true stock once polled)
    honest = dict(catalog.stock)  # the true stock as buyers take it (for withheld units)
    withheld = 0
    shown = {ch: {item.code: catalog.ats(item, remaining) for item in catalog.items} for ch in channels}
    pending: list = []
    sales: list = []
    next_tick = interval
    for intent in intents:
        while intent.at >= next_tick:
            for _, item, qty in pending:
                for code, per in item.components:
                    remaining[code] -= qty * per
            pending.clear()
            clipped = {c: max(0, v) for c, v in remaining.items()}
            for ch in channels:
                shown[ch] = {item.code: catalog.ats(item, clipped) for item in catalog.items}
            next_tick += interval
        view = shown[intent.channel]
        if view[intent.item.code] < intent.qty:
            withheld += withheld_units(catalog=catalog, remaining=honest, intent=intent)
            continue
        view[intent.item.code] -= intent.qty
        sale = (intent.at, intent.item, intent.qty)
        served = min(intent.qty, catalog.ats(intent.item, honest))
        for code, per in intent.item.components:
            honest[code] -= served * per
        pending.append(sale)
        sales.append(sale)
    return {
        "orders": len(sales),
        "oversold_units": oversold_units(catalog=catalog, sales=sales),
        "withheld_units": withheld,
    }
