"""The rush driver: set up, start the system, play the buyers with faults, drain, measure."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"

DEFAULT_FAULTS = {
    "webhook_duplicate": 0.10,  # share of deliveries sent twice
    "webhook_delay": 0.10,  # share of deliveries held back 0.2-3 s
    "webhook_out_of_order": 0.05,  # share of generic orders whose later snapshot arrives first
    "vendor_429_per_s": 0.5,  # injected 429s per second per channel (push/read calls)
    "vendor_5xx_per_s": 0.3,  # injected 503s per second per channel
    "vendor_slow_per_s": 0.05,  # per second per channel: 1.5 s responses for the next 2 s
    "worker_kill_at": 0.4,  # share of the run when worker0 is SIGKILLed (restarted 1 s later)
    "broker_restart_at": 0.6,  # share of the run when Redis is shut down (2 s) and restarted
}


def _env() -> None:
    from bench.env import bench_environ_set

    bench_environ_set(log_level="ERROR")


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 3)


def _catalog_load(catalog, location) -> None:
    from inventory_app.models import SKU, KitComponent, Product
    from inventory_app.services.ledger import StockChange, stock_apply

    product = Product.objects.create(name="Rush")
    SKU.objects.bulk_create(
        [SKU(product=product, code=i.code, name=i.code, is_kit=i.is_kit) for i in catalog.items]
    )
    ids = dict(SKU.objects.values_list("code", "pk"))
    KitComponent.objects.bulk_create(
        [KitComponent(kit_id=ids[i.code], component_id=ids[c], quantity=q)
         for i in catalog.items if i.is_kit for c, q in i.components]
    )  # fmt: skip
    codes = list(catalog.stock)
    for start in range(0, len(codes), 1000):
        stock_apply(
            changes=[StockChange(sku_id=ids[c], location_id=location.pk, on_hand_delta=catalog.stock[c])
                     for c in codes[start : start + 1000]],
            reason="receipt",
        )  # fmt: skip


class Truth:
    """The true stock as buyers take it (honest units only), and pending latency probes."""

    def __init__(self, catalog, channels) -> None:
        self.catalog, self.channels = catalog, channels
        self.remaining = dict(catalog.stock)
        self.lock = threading.Lock()
        self.pending: list[list] = []  # [sold_at, item, target, {channel: reached_at or None}]
        self.done: list[tuple[str, float]] = []
        self.reached: list[tuple[str, float]] = []  # (destination channel, seconds after the sale)
        self.slowest: list[dict] = []  # the slowest probes, for the report's diagnosis
        self.stopped = False

    def sold(self, sale) -> None:
        with self.lock:
            honest = min(sale.qty, self.catalog.ats(sale.item, self.remaining))
            for code, per in sale.item.components:
                self.remaining[code] -= honest * per
            target = self.catalog.ats(sale.item, self.remaining)
            others = {ch.name: None for ch in self.channels if ch.name != sale.channel}
            self.pending.append([sale.at, sale.item, target, others, sale.channel])

    def _keep_slow(self, item, origin, sold_at, others, target) -> None:
        probe = {
            "s": round(max(others.values()) - sold_at, 3), "item": item.code, "kit": item.is_kit,
            "origin": origin, "true_after": target,
            "by_destination": {name: round(at - sold_at, 3) for name, at in others.items()},
        }  # fmt: skip
        self.slowest = sorted([*self.slowest, probe], key=lambda p: -p["s"])[:10]

    def sampler(self) -> None:
        """Every 20 ms, read what each channel shows for the items of pending probes (each
        (channel, item) once per round: hot items have many probes, and the fakes share this
        process, so a costly round would slow the channels it measures)."""
        while not self.stopped:
            now = time.time()
            with self.lock:
                pending = list(self.pending)
            shown: dict[tuple[str, str], int] = {}
            finished: set[int] = set()
            for entry in pending:
                sold_at, item, target, others, origin = entry
                for ch in self.channels:
                    if ch.name in others and others[ch.name] is None:
                        key = (ch.name, item.code)
                        if key not in shown:
                            shown[key] = ch.shows(item)
                        if shown[key] <= target:
                            others[ch.name] = now
                if all(v is not None for v in others.values()):
                    finished.add(id(entry))
                    self.done.append((origin, max(others.values()) - sold_at))
                    self.reached.extend((name, at - sold_at) for name, at in others.items())
                    self._keep_slow(item, origin, sold_at, others, target)
            if finished:
                with self.lock:
                    self.pending = [e for e in self.pending if id(e) not in finished]
            time.sleep(0.02)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The holiday rush simulation (bench/rush/README.md).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--faults", choices=["on", "off"], default="on")
    parser.add_argument("--seconds", type=float, default=120.0, help="length of the buying phase")
    parser.add_argument("--rate", type=float, default=12.0, help="buyer arrivals per second")
    parser.add_argument("--skus", type=int, default=3000)
    parser.add_argument("--kits", type=int, default=300)
    parser.add_argument("--drain", type=float, default=180.0, help="most seconds to wait after the buyers")
    parser.add_argument("--burst", type=int, default=600, help="orders of the ingestion burst (0: none)")
    parser.add_argument(
        "--burst-senders", type=int, default=16, help="concurrent webhook senders of the burst"
    )
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--celery-workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4,
                        help="slots per worker (they mostly wait on channels' rate limits)")  # fmt: skip
    parser.add_argument("--baseline-interval", type=float, default=900.0)
    parser.add_argument("--worker-kill-at", default="", help="share of the run, or 'none'")
    parser.add_argument("--broker-restart-at", default="", help="share of the run, or 'none'")
    parser.add_argument("--first-push-timeout", type=float, default=300.0)
    parser.add_argument("--amazon-poll", type=int, default=60,
                        help="seconds between the Amazon account's order polls (celery beat; the safety "
                             "net behind notifications)")  # fmt: skip
    parser.add_argument("--amazon-notifications", choices=["on", "off"], default="on",
                        help="Amazon orders by ORDER_CHANGE on a fake SQS queue (off: polls)")  # fmt: skip
    parser.add_argument("--amazon-max-wait", type=float, default=5.0,
                        help="the Amazon account's throttle_max_wait (default: the connector's)")  # fmt: skip
    parser.add_argument("--buffers", choices=["on", "off"], default="on",
                        help="the accounts' adaptive safety buffers (issue 21)")  # fmt: skip
    parser.add_argument("--out", default="")
    args = parser.parse_args(argv)
    _env()
    signal.signal(signal.SIGTERM, _terminate)
    threading.Thread(target=_orphan_watch, args=(os.getppid(),), daemon=True).start()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("the rush needs PostgreSQL and Redis: run it under python -m config.devservices --redis")
    var = tempfile.mkdtemp(prefix="rush-")
    os.environ["RUSH_VAR"] = var
    faults = dict(DEFAULT_FAULTS) if args.faults == "on" else {k: 0.0 for k in DEFAULT_FAULTS}
    if args.faults == "off":
        faults["worker_kill_at"] = faults["broker_restart_at"] = None
    for key, value in (
        ("worker_kill_at", args.worker_kill_at),
        ("broker_restart_at", args.broker_restart_at),
    ):
        if value:
            faults[key] = None if value == "none" else float(value)
    result = run(args=args, faults=faults)
    name = f"rush-{args.seed}.json" if args.faults == "on" else f"rush-{args.seed}-nofaults.json"
    out = Path(args.out) if args.out else RESULTS / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    print(summary(result), file=sys.stderr)
    return 0


def _terminate(signum, frame) -> None:
    raise SystemExit(143)  # the driver's finally blocks stop the processes it started


def _orphan_watch(parent: int) -> None:
    """Stop the run when whoever started it (config.devservices) is gone."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)


def summary(r: dict) -> str:
    return (
        f"rush seed={r['seed']} faults={'on' if r['faults_on'] else 'off'}: "
        f"{sum(r['orders_placed'].values())} orders on {', '.join(r['channels'])}; "
        f"oversold {r['oversold_units']} units (15-min baseline {r['baseline_oversold_units']}); "
        f"lost {r['lost_orders']}, duplicate reservations {r['duplicate_reservations']}, "
        f"invariant violations {r['invariant_violations']}; sale-to-all-channels p50 {r['latency_p50_s']} s "
        f"p99 {r['latency_p99_s']} s ({r['latency_unreached']} never reached); "
        f"{r['orders_per_s']} orders/s ingested in the burst"
    )


from bench.rush.driver import run  # noqa: E402
