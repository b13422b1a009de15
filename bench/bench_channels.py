"""Sync engine benchmark: N fake channels, real Celery workers on Redis, webhooks through gunicorn.

    .venv/bin/python -m config.devservices --redis -- .venv/bin/python -m bench.bench_channels \\
        [--channels 3] [--latency-orders 200] [--rate 40] [--burst-orders 1000] [--senders 16] \\
        [--celery-workers 2] [--concurrency 3] [--web-workers 2]

Set-up: one SKU per sale (so every sale has one expected figure), each listed on every fake
channel (a real HTTP server on 127.0.0.1 speaking the generic protocol), 10 units on hand, first
push done. Then two phases, each sale being a buyer's order on one fake channel followed by its
signed webhook POSTed to the engine (gunicorn, real HTTP):

* latency: sales paced at ``--rate`` a second; for each, the time from the sale to the moment
  every channel (the origin too) has been pushed the new figure (9) - p50, p99, max;
* throughput: ``--burst-orders`` webhooks as fast as ``--senders`` threads can post them (16 by
  default: channels deliver concurrently, and each sender waits for its answer, so fewer senders
  measure their own round trips rather than the engine); orders/s is orders taken in (created in
  the database, stock reserved) divided by the time from the first post to the last order
  created.

Prints one JSON object and writes it to bench/results/sync.json (``make bench-sync``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.env import bench_environ_set  # noqa: E402 (after the path above)

bench_environ_set()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _setup(*, channels: int, skus: int):
    import django

    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("bench_channels needs PostgreSQL and Redis: run it under config.devservices --redis")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from channels_app.services.accounts import account_create
    from channels_app.services.onboarding import account_listings_import
    from config.sandbox.generic_channel import GenericChannelServer
    from inventory_app.models import SKU, Location, Product
    from inventory_app.services.ledger import StockChange, stock_apply

    location = Location.objects.create(code="BENCH", name="Bench", is_sellable=True)
    product = Product.objects.create(name="Bench")
    SKU.objects.bulk_create([SKU(product=product, code=f"B{i:06d}", name=f"B{i}") for i in range(skus)])
    ids = list(SKU.objects.order_by("code").values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        stock_apply(
            changes=[
                StockChange(sku_id=i, location_id=location.pk, on_hand_delta=10)
                for i in ids[start : start + 1000]
            ],
            reason="receipt",
        )
    shops, accounts = [], []
    for n in range(channels):
        shop = GenericChannelServer(api_key=f"key-{n}", webhook_secret=f"secret-{n}").start()
        for i in range(skus):
            shop.listing_add(f"C{n}-{i:06d}", sku=f"B{i:06d}", quantity=0)
        account = account_create(
            kind="generic",
            name=f"Channel {n}",
            base_url=shop.base_url,
            credentials={"api_key": shop.api_key, "webhook_secret": shop.webhook_secret},
            options={"rate_per_second": 100, "burst": 10, "batch_max": 100, "quantity_mode": "cas"},
            schedule=False,
        )
        account_listings_import(account=account)
        shops.append(shop)
        accounts.append(account)
    return shops, accounts


def _start_processes(*, web_workers: int, celery_workers: int, concurrency: int) -> tuple[list, int]:
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    env = {**os.environ}
    procs = [
        subprocess.Popen(
            [str(bin_dir / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(web_workers),
             "-k", "gthread", "--threads", "8", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )
    ]  # fmt: skip
    for n in range(celery_workers):
        procs.append(
            subprocess.Popen(
                [str(bin_dir / "celery"), "-A", "config", "worker", "-c", str(concurrency),
                 "-n", f"bench{n}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "-l", "WARNING"],
                cwd=ROOT, env=env,
            )
        )  # fmt: skip
    return procs, port


def _cpu_seconds(root_pids: list[int]) -> float:
    """CPU time (user + system) of the processes ``root_pids`` and all their live descendants."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        ticks[int(entry)] = int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    wanted = set(root_pids)
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in wanted and pid not in wanted:
                wanted.add(pid)
                grew = True
    return sum(ticks.get(pid, 0) for pid in wanted) / os.sysconf("SC_CLK_TCK")


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


def _sell(shops, accounts, port: int, index: int, session) -> float:
    n = index % len(shops)
    shop = shops[n]
    order = shop.buy(f"C{n}-{index:06d}", 1)
    sold_at = time.time()
    body, headers = shop.webhook(order, "order.created")
    url = f"http://127.0.0.1:{port}/webhooks/channels/{accounts[n].webhook_token}/"
    response = session.post(
        url, data=body, headers={**headers, "Content-Type": "application/json"}, timeout=30
    )
    response.raise_for_status()
    return sold_at


def _reached_all(shops, index: int) -> float | None:
    """When every channel had been pushed 9 for SKU ``index`` (None: not yet)."""
    times = []
    for n, shop in enumerate(shops):
        with shop.lock:
            hits = [t for t, q in shop.push_log.get(f"C{n}-{index:06d}", []) if q == 9]
        if not hits:
            return None
        times.append(min(hits))
    return max(times)


def _diagnose(shops, missing: list[int]) -> None:
    """Print the state of the listings of sales that did not reach every channel."""
    from django.db import close_old_connections

    from channels_app.models import ChannelAccount, InboundEvent, Listing

    close_old_connections()
    print(f"{len(missing)} sales not everywhere, e.g. {missing[:5]}", file=sys.stderr)
    for index in missing[:3]:
        for n, shop in enumerate(shops):
            external_id = f"C{n}-{index:06d}"
            row = Listing.objects.filter(external_id=external_id).values(
                "needs_push", "last_pushed_qty", "last_seen_qty", "next_attempt_at", "claimed_until",
                "catchup_required_after", "push_failures", "last_error", "dirty_version",
            ).first()  # fmt: skip
            print(external_id, shop.quantity(external_id), row, file=sys.stderr)
    print(list(ChannelAccount.objects.values("pk", "push_enqueued_at", "orders_synced_at")), file=sys.stderr)
    print(list(InboundEvent.objects.exclude(status="processed").values("event_id", "status", "error")[:5]),
          file=sys.stderr)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--latency-orders", type=int, default=200)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--burst-orders", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--celery-workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--web-workers", type=int, default=2)
    args = parser.parse_args()
    total = args.latency_orders + args.burst_orders
    shops, accounts = _setup(channels=args.channels, skus=total)
    import requests
    from django.db import close_old_connections

    from inventory_app.models import Order

    procs, port = _start_processes(
        web_workers=args.web_workers, celery_workers=args.celery_workers, concurrency=args.concurrency
    )
    try:
        _wait(
            lambda: all(shop.quantity(f"C{n}-{total - 1:06d}") == 10 for n, shop in enumerate(shops)),
            300,  # worker start-up included; slow when the machine is shared
            "the first push",
        )
        session = requests.Session()
        _wait(lambda: session.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok, 30, "gunicorn")

        # Phase 1: latency at a steady rate.
        sold: dict[int, float] = {}
        interval = 1.0 / args.rate
        next_at = time.monotonic()
        for index in range(args.latency_orders):
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += interval
            sold[index] = _sell(shops, accounts, port, index, session)
        try:
            _wait(lambda: all(_reached_all(shops, i) for i in sold), 120, "every channel to get every sale")
        except SystemExit:
            _diagnose(shops, [i for i in sold if not _reached_all(shops, i)])
            raise
        latencies = sorted(_reached_all(shops, i) - t for i, t in sold.items())

        # Phase 2: throughput, as fast as the senders go.
        web_pids, worker_pids = [procs[0].pid], [p.pid for p in procs[1:]]
        cpu_before = (_cpu_seconds(web_pids), _cpu_seconds(worker_pids), time.process_time())
        indexes = list(range(args.latency_orders, total))
        lock = threading.Lock()
        started = time.time()

        def sender() -> None:
            own = requests.Session()
            while True:
                with lock:
                    if not indexes:
                        return
                    index = indexes.pop()
                _sell(shops, accounts, port, index, own)

        threads = [threading.Thread(target=sender) for _ in range(args.senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        posted = time.time()

        def all_created() -> bool:
            close_old_connections()
            return Order.objects.count() >= total

        _wait(all_created, 300, "every order to be taken in")
        last = Order.objects.order_by("-created_at").values_list("created_at", flat=True).first().timestamp()
        burst_seconds = last - started
        _wait(
            lambda: all(_reached_all(shops, i) for i in range(args.latency_orders, total)),
            300,
            "burst pushes",
        )
        burst_done = max(_reached_all(shops, i) for i in range(args.latency_orders, total)) - started
        cpu_after = (_cpu_seconds(web_pids), _cpu_seconds(worker_pids), time.process_time())
        web_ms, worker_ms, bench_ms = (
            round((after - before) * 1000 / args.burst_orders, 1)
            for before, after in zip(cpu_before, cpu_after, strict=True)
        )

        def pct(values: list[float], q: float) -> float:
            return values[min(len(values) - 1, round(q * (len(values) - 1)))]

        result = json.dumps(
            {
                "channels": args.channels,
                "celery_workers": args.celery_workers,
                "concurrency": args.concurrency,
                "latency_orders": args.latency_orders,
                "latency_rate_per_s": args.rate,
                "sale_to_all_channels_p50_ms": round(statistics.median(latencies) * 1000, 1),
                "sale_to_all_channels_p99_ms": round(pct(latencies, 0.99) * 1000, 1),
                "sale_to_all_channels_max_ms": round(latencies[-1] * 1000, 1),
                "burst_orders": args.burst_orders,
                "webhooks_posted_per_s": round(args.burst_orders / (posted - started), 1),
                "orders_ingested_per_s": round(args.burst_orders / burst_seconds, 1),
                "burst_all_channels_updated_s": round(burst_done, 2),
                "cpu_ms_per_order": {
                    "web": web_ms,
                    "workers": worker_ms,
                    "bench_and_fake_channels": bench_ms,
                },
                "load_average_1min": os.getloadavg()[0],
                "push_requests": {
                    f"channel_{n}": len(s.requests_of("POST quantities")) for n, s in enumerate(shops)
                },
            },
            indent=1,
        )
        print(result)
        out = ROOT / "bench" / "results" / "sync.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(result + "\n")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        for shop in shops:
            shop.stop()


if __name__ == "__main__":
    main()
