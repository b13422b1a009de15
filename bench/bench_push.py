"""Push benchmarks: a full push of 100,000 SKUs to a fake channel, and coalescing.

    .venv/bin/python -m config.devservices --redis -- .venv/bin/python -m bench.bench_push \\
        [--skus 100000] [--batch 250] [--sales 1000]

* full push: 100,000 SKUs with stock, each linked to a listing of the generic fake channel
  (vendor limit: ``--batch`` updates per call, so the vendor's minimum is ceil(SKUs / batch)
  calls). The push runs in a fresh child process (the engine's ``account_push_dirty`` looped until
  nothing is dirty), which reports its wall time and peak resident memory (VmHWM: the whole
  process, Django included); the fake counts the calls.
* coalescing: one SKU listed on the fake, real gunicorn + Celery worker on Redis (started by
  bench.bench_channels' helper); 1,000 reservations of that SKU from 16 threads as fast as the
  ledger takes them (the time they took is reported); pushes = quantity updates of that listing
  the channel received until it shows the final figure.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.env import bench_environ_set  # noqa: E402 (after the path above)

bench_environ_set()


def _hwm_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def push_only(account_id: int) -> None:
    """Child process: push everything dirty of ``account_id``; print wall time and peak memory."""
    import django

    django.setup()
    from channels_app.models import ChannelAccount
    from channels_app.push.run import _claimable, account_push_dirty

    account = ChannelAccount.objects.get(pk=account_id)
    base_mb = _hwm_mb()
    started = time.perf_counter()
    runs = 0
    while _claimable(account=account).exists() and runs < 1000:
        account_push_dirty(account_id=account_id, time_budget=600, follow_up=False)
        runs += 1
    wall = time.perf_counter() - started
    print(json.dumps({"seconds": round(wall, 2), "peak_mb": round(_hwm_mb(), 1),
                      "django_loaded_mb": round(base_mb, 1), "runs": runs}))  # fmt: skip


def _setup_db() -> None:
    import django

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench_push needs PostgreSQL (run it under config.devservices --redis)")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def full_push(*, skus: int, batch: int) -> dict:
    from django.utils import timezone

    from channels_app.models import Listing
    from channels_app.services.accounts import account_create
    from config.sandbox.generic_channel import GenericChannelServer
    from inventory_app.models import SKU, Location, Product
    from inventory_app.services.ledger import StockChange, stock_apply

    location = Location.objects.create(code="PUSH", name="Push", is_sellable=True)
    product = Product.objects.create(name="Push")
    SKU.objects.bulk_create(
        [SKU(product=product, code=f"P{i:06d}", name=f"P{i}") for i in range(skus)], batch_size=5000
    )
    ids = list(SKU.objects.filter(code__startswith="P").order_by("code").values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        stock_apply(
            changes=[StockChange(sku_id=i, location_id=location.pk, on_hand_delta=1 + i % 7)
                     for i in ids[start : start + 2000]],
            reason="receipt",
        )  # fmt: skip
    shop = GenericChannelServer(api_key="push-key", webhook_secret=os.urandom(8).hex()).start()
    try:
        for n in range(skus):
            shop.listing_add(f"L{n:06d}", sku=f"P{n:06d}", quantity=0)
        account = account_create(
            kind="generic",
            name="Push target",
            base_url=shop.base_url,
            credentials={"api_key": shop.api_key, "webhook_secret": shop.webhook_secret},
            options={"rate_per_second": 1000, "burst": 50, "batch_max": batch, "quantity_mode": "cas"},
            schedule=False,
            enabled=False,  # no push requested while the listings are being created
        )
        now = timezone.now()
        Listing.objects.bulk_create(
            [Listing(account=account, external_id=f"L{n:06d}", external_sku=f"P{n:06d}", sku_id=sku_id,
                     last_seen_qty=0, needs_push=True, dirty_since=now, dirty_version=1)
             for n, sku_id in enumerate(ids)],
            batch_size=5000,
        )  # fmt: skip
        from channels_app.intake.polling import account_orders_sync
        from channels_app.models import ChannelAccount

        ChannelAccount.objects.filter(pk=account.pk).update(enabled=True)
        account_orders_sync(account_id=account.pk)  # caught up with orders: increases may go out
        child = subprocess.run(
            [sys.executable, "-m", "bench.bench_push", "--push-only", str(account.pk)],
            cwd=ROOT, capture_output=True, text=True, env=dict(os.environ), timeout=1800,
        )  # fmt: skip
        if child.returncode != 0:
            raise SystemExit(f"push child failed: {child.stderr[-2000:]}")
        measured = json.loads(child.stdout.strip().splitlines()[-1])
        calls = len(shop.requests_of("POST quantities"))
        wrong = sum(1 for n in range(skus) if shop.quantity(f"L{n:06d}") != 1 + ids[n] % 7)
        return {
            "push_100k_skus": skus,
            "push_100k_calls": calls,
            "push_100k_min_calls": math.ceil(skus / batch),
            "push_100k_calls_ratio": round(calls / math.ceil(skus / batch), 3),
            "push_100k_vendor_batch_limit": batch,
            "push_100k_wall_s": measured["seconds"],
            "push_100k_peak_mb": measured["peak_mb"],
            "push_100k_process_mb_before_push": measured["django_loaded_mb"],
            "push_100k_listings_wrong_after": wrong,
        }
    finally:
        shop.stop()


def coalescing(*, sales: int) -> dict:
    from django.db import connections

    from bench.bench_channels import _start_processes
    from channels_app.services.accounts import account_create
    from channels_app.services.onboarding import account_listings_import
    from config.sandbox.generic_channel import GenericChannelServer
    from inventory_app.models import SKU, Location, Product
    from inventory_app.services.ledger import StockChange, stock_apply
    from inventory_app.services.stock import stock_receive

    location = Location.objects.create(code="COAL", name="Coalescing", is_sellable=True)
    sku = SKU.objects.create(product=Product.objects.create(name="Hot"), code="HOT-COAL", name="Hot")
    stock_receive(sku=sku, location=location, quantity=sales * 2)
    shop = GenericChannelServer(api_key="c-key", webhook_secret=os.urandom(8).hex()).start()
    shop.listing_add("HOT", sku="HOT-COAL", quantity=0)
    procs, _ = _start_processes(web_workers=1, celery_workers=1, concurrency=2)
    try:
        account = account_create(
            kind="generic",
            name="Coalescing",
            base_url=shop.base_url,
            credentials={"api_key": shop.api_key, "webhook_secret": shop.webhook_secret},
            options={"rate_per_second": 10, "burst": 5, "batch_max": 100, "quantity_mode": "cas"},
            schedule=False,
        )
        account_listings_import(account=account)
        deadline = time.monotonic() + 180
        while shop.quantity("HOT") != sales * 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        before = len(shop.push_log.get("HOT", []))
        left = [sales]
        lock = threading.Lock()

        def reserve() -> None:
            try:
                while True:
                    with lock:
                        if left[0] == 0:
                            return
                        left[0] -= 1
                    stock_apply(
                        changes=[StockChange(sku_id=sku.pk, location_id=location.pk, committed_delta=1)],
                        reason="reserve",
                    )
            finally:
                connections.close_all()

        started = time.perf_counter()
        threads = [threading.Thread(target=reserve) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        sales_seconds = time.perf_counter() - started
        deadline = time.monotonic() + 120
        while shop.quantity("HOT") != sales and time.monotonic() < deadline:
            time.sleep(0.05)
        settled = time.perf_counter() - started
        time.sleep(2.0)  # late pushes would still count
        pushes = len(shop.push_log.get("HOT", [])) - before
        return {
            "pushes_per_1000_sales_of_one_sku": round(pushes * 1000 / sales, 1),
            "coalescing_sales": sales,
            "coalescing_sales_seconds": round(sales_seconds, 2),
            "coalescing_channel_final_quantity": shop.quantity("HOT"),
            "coalescing_settled_s": round(settled, 2),
        }
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shop.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Push benchmarks (module docstring).")
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--sales", type=int, default=1000)
    parser.add_argument("--push-only", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.push_only is not None:
        push_only(args.push_only)
        return 0
    _setup_db()
    out = {"benchmark": "push", **full_push(skus=args.skus, batch=args.batch)}
    out.update(coalescing(sales=args.sales))
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
