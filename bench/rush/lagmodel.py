"""What the rush's targets ask of the engine's speed: the rush's buyers replayed against channels
whose figure lands a fixed time after each sale (no engine, no faults, no machine).

``python -m bench.rush.lagmodel [--seeds 1 2 3] [--lags 0.25 0.5 1 2 3] [--amazon 5 10 20]``

A channel ``c`` with lag ``L`` shows, at time ``t``, what the stock known at ``t - L`` allows
(every sale up to then, oversold ones too, clipped at 0) less its own sales since (a channel
deducts its own sales at once), less the buffer. A buyer buys when the figure covers the
quantity. Oversold and withheld units are the rush's own definitions (:mod:`bench.rush.traffic`),
so a row reads like a rush result of an engine whose every figure lands exactly ``L`` late.

With ``--faults``, a web shop's sale reaches the engine only when its webhook does: the share of
deliveries the rush holds back (``webhook_delay`` of :data:`bench.rush.run.DEFAULT_FAULTS`) comes
0.2-3 s late, so even a channel whose figure lands at once after the engine knows stays stale
that long: the floor a perfect engine reaches under the rush's faults.

With ``--buffers``, each figure is held back by the engine's adaptive buffer
(:func:`channels_app.push.risk.buffer_decide`) as if the engine knew the lag exactly, with demand
from the replayed orders over the engine's windows (:data:`channels_app.selectors.buffers.DEMAND_WINDOWS`).
"""

from __future__ import annotations

import argparse
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from bench.rush.baseline import baseline_run
from bench.rush.catalog import Catalog, Item, catalog_build
from bench.rush.patchqueue import RankedPatches
from bench.rush.traffic import Intent, intents_build, oversold_units, withheld_units

# item code -> (seconds, units, channel) of each order a replay accepted
Orders = dict[str, list[tuple[float, int, str]]]
BufferRule = Callable[..., int]


@dataclass(frozen=True)
class Replay:
    """One replay's outcome, in the rush's units."""

    oversold_units: int
    withheld_units: int
    units_sold: int
    orders: int


def lagged_replay(
    *,
    catalog: Catalog,
    intents: list[Intent],
    lags: dict[str, float],
    buffer: BufferRule | None = None,
    heard: Callable[[Intent], float] | None = None,
    ranked: RankedPatches | None = None,
) -> Replay:
    """Play ``intents`` against channels whose figures land ``lags[channel]`` seconds after the
    engine hears of each sale, ``heard(intent)`` seconds after it (default at once);
    ``buffer(channel=, item=, shown=, lag=, orders=, at=)`` returns the units held back;
    ``ranked``: the channel it names shows what its quota-bound ranked push set instead."""
    honest = dict(catalog.stock)  # what honest sales left (the truth)
    sold: dict[str, list[tuple[float, int, str]]] = defaultdict(list)  # component -> (t, units, channel)
    orders: Orders = defaultdict(list)
    sales: list[tuple] = []
    withheld = 0
    for intent in intents:
        if ranked is not None and intent.channel == ranked.channel:
            lag = 0.0  # its figure is what the ranked push set, not a lagged one
            ranked.advance(to=intent.at)
            shown = ranked.shows(intent.item)
        else:
            lag = lags[intent.channel]
            shown = _shown(
                catalog=catalog, item=intent.item, sold=sold, at=intent.at, lag=lag, channel=intent.channel
            )
        if buffer is not None and shown > 0:
            shown -= min(shown, buffer(channel=intent.channel, item=intent.item, shown=shown, lag=lag,
                                       orders=orders, at=intent.at))  # fmt: skip
        if shown < intent.qty:
            withheld += withheld_units(catalog=catalog, remaining=honest, intent=intent)
            continue
        served = min(intent.qty, catalog.ats(intent.item, honest))
        known = intent.at + (heard(intent) if heard is not None else 0.0)
        for code, per in intent.item.components:
            honest[code] -= served * per
            sold[code].append((known, intent.qty * per, intent.channel))
        if ranked is not None:
            ranked.sale(
                item=intent.item, qty=intent.qty, channel=intent.channel, at=intent.at, heard_at=known
            )
        orders[intent.item.code].append((intent.at, intent.qty, intent.channel))
        sales.append((intent.at, intent.item, intent.qty, intent.channel))
    return Replay(
        oversold_units=oversold_units(catalog=catalog, sales=sales),
        withheld_units=withheld,
        units_sold=sum(s[2] for s in sales),
        orders=len(sales),
    )


def _shown(*, catalog: Catalog, item: Item, sold: dict, at: float, lag: float, channel: str) -> int:
    figure = None
    for code, per in item.components:
        known, own = catalog.stock[code], 0
        for when, units, where in sold[code]:
            if when <= at - lag:
                known -= units
            elif where == channel:
                own += units
        units_left = max(0, max(0, known) - own) // per
        figure = units_left if figure is None else min(figure, units_left)
    return figure or 0


def webhook_delays(
    *, seed: int, share: float, low: float = 0.2, high: float = 3.0
) -> Callable[[Intent], float]:
    """The rush's held-back webhooks: a web shop's sale is heard ``low``-``high`` s late with
    chance ``share`` (drawn per sale, seeded); Amazon's orders are heard at once."""
    rng = random.Random(seed * 31 + 7)

    def heard(intent: Intent) -> float:
        if intent.channel == "amazon" or rng.random() >= share:
            return 0.0
        return rng.uniform(low, high)

    return heard


def engine_buffer_rule(*, max_risk: float = 0.01) -> BufferRule:
    """The engine's adaptive buffer with the lag known exactly (Django must be set up)."""
    from channels_app.push.risk import BufferInputs, buffer_decide
    from channels_app.selectors.buffers import DEMAND_WINDOWS, demand_units_per_hour

    def per_hour(taken: list[tuple[float, int]], at: float) -> float:
        counts = [sum(q for when, q in taken if when > at - w.total_seconds()) for w, _ in DEMAND_WINDOWS]
        return demand_units_per_hour(window_units=counts)

    def rule(*, channel: str, item: Item, shown: int, lag: float, orders: Orders, at: float) -> int:
        taken = orders[item.code]
        here = per_hour([(w, q) for w, q, c in taken if c == channel], at)
        elsewhere = per_hour([(w, q) for w, q, c in taken if c != channel], at)
        decision = buffer_decide(inputs=BufferInputs(
            available=shown, rules_quantity=shown, stale_seconds=lag, channel_per_hour=here,
            others_per_hour=elsewhere, max_risk=max_risk,
        ))  # fmt: skip
        return decision.buffer

    return rule


def main(argv: list[str] | None = None) -> int:
    from bench.rush.driver import CHANNEL_NAMES, CHANNEL_SHARES
    from bench.rush.run import DEFAULT_FAULTS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--lags", type=float, nargs="+", default=[0.25, 0.5, 1.0, 2.0, 3.0],
                        help="the web shops' lag, seconds")  # fmt: skip
    parser.add_argument("--amazon", type=float, nargs="*", default=[],
                        help="Amazon's lag, seconds (default: the web shops')")  # fmt: skip
    parser.add_argument("--buffers", action="store_true", help="also with the engine's buffer")
    parser.add_argument("--faults", action="store_true",
                        help="web shops' sales heard as late as the rush's held-back webhooks")  # fmt: skip
    parser.add_argument("--amazon-rate", type=float, nargs="*", default=[],
                        help="Amazon fed by an ideal ranked push of this many patches a second "
                             "(instead of a lag; less 0.5 a second of 429s with --faults)")  # fmt: skip
    parser.add_argument("--amazon-land", type=float, default=0.0,
                        help="with --amazon-rate: seconds from a patch's turn to its landing")  # fmt: skip
    parser.add_argument("--rate", type=float, default=12.0)
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args(argv)
    rule = None
    if args.buffers:
        import django

        from bench.env import bench_environ_set

        bench_environ_set(log_level="ERROR")
        django.setup()
        rule = engine_buffer_rule()
    print(
        "web shops' sales heard " + ("as late as the rush's held-back webhooks" if args.faults else "at once")
    )
    print("| web shops' lag s | Amazon's lag s | buffer | " + " | ".join(
        f"seed {s}: oversold / withheld / units sold / 1/50 target" for s in args.seeds) + " |")  # fmt: skip
    print("|" + " --- |" * (3 + len(args.seeds)))
    worlds = {s: catalog_build(seed=s, skus=3000, kits=300) for s in args.seeds}
    streams = {
        s: intents_build(seed=s, catalog=worlds[s], channels=CHANNEL_NAMES, shares=CHANNEL_SHARES,
                         rate=args.rate, seconds=args.seconds)
        for s in args.seeds
    }  # fmt: skip
    targets = {
        s: baseline_run(catalog=worlds[s], intents=streams[s], channels=CHANNEL_NAMES, interval=900.0)[
            "oversold_units"
        ]
        // 50
        for s in args.seeds
    }
    spent_on_429s = DEFAULT_FAULTS["vendor_429_per_s"] if args.faults else 0.0
    for web in args.lags:
        amazons = [("lag", a) for a in args.amazon or ([] if args.amazon_rate else [web])]
        for kind, value in amazons + [("rate", r) for r in args.amazon_rate]:
            lags = {name: web for name in CHANNEL_NAMES} | ({"amazon": value} if kind == "lag" else {})
            label = (
                f"{value:g}"
                if kind == "lag"
                else f"ranked, {value - spent_on_429s:g} patches/s landing {args.amazon_land:g} s after"
            )
            for name, chosen in [("off", None)] + ([("engine", rule)] if rule else []):
                cells = []
                for s in args.seeds:
                    heard = (
                        webhook_delays(seed=s, share=DEFAULT_FAULTS["webhook_delay"]) if args.faults else None
                    )
                    ranked = (
                        RankedPatches(catalog=worlds[s], rate=value - spent_on_429s, land=args.amazon_land)
                        if kind == "rate"
                        else None
                    )
                    r = lagged_replay(
                        catalog=worlds[s],
                        intents=streams[s],
                        lags=lags,
                        buffer=chosen,
                        heard=heard,
                        ranked=ranked,
                    )
                    cells.append(f"{r.oversold_units} / {r.withheld_units} / {r.units_sold} / {targets[s]}")
                print(f"| {web:g} | {label} | {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
