"""Stock service benchmark: reservations per second (hot SKU and spread SKUs, 16 concurrent
workers) and available-to-sell for 100,000 SKUs (time and queries).

Run on a throwaway PostgreSQL:  make bench  (or)
    .venv/bin/python -m config.devservices -- .venv/bin/python -m bench.bench_stock [--skus 100000]
Prints one JSON object. Uses real threads with their own database connections.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-" + os.urandom(24).hex())


def _setup() -> None:
    import django

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench_stock needs DATABASE_URL pointing at PostgreSQL (run it under config.devservices)")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _reserve_loop(*, workers: int, seconds: float, pick) -> dict:
    from django.db import connections

    from inventory_app.errors import StockError
    from inventory_app.services.ledger import StockChange, stock_apply

    barrier = threading.Barrier(workers)
    counts = [0] * workers
    errors = [0] * workers
    latencies: list[list[float]] = [[] for _ in range(workers)]

    def run(i: int) -> None:
        rng = random.Random(i)
        barrier.wait()
        end = time.perf_counter() + seconds
        try:
            while time.perf_counter() < end:
                sku_id, location_id = pick(rng)
                start = time.perf_counter()
                try:
                    stock_apply(
                        changes=[StockChange(sku_id=sku_id, location_id=location_id, committed_delta=1)],
                        reason="reserve",
                    )
                    counts[i] += 1
                except StockError:
                    errors[i] += 1
                latencies[i].append(time.perf_counter() - start)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    flat = sorted(x for per in latencies for x in per)

    def pct(p: float) -> float:
        return round(flat[min(len(flat) - 1, int(p * len(flat)))] * 1000, 2) if flat else 0.0

    return {
        "workers": workers,
        "seconds": round(wall, 2),
        "reservations": sum(counts),
        "refused": sum(errors),
        "per_second": round(sum(counts) / wall, 1),
        "latency_ms_p50": pct(0.5),
        "latency_ms_p99": pct(0.99),
    }


def _seed_many(count: int, location) -> list[int]:
    from inventory_app.models import SKU, StockLevel

    existing = SKU.objects.filter(code__startswith="B-").count()
    if existing < count:
        SKU.objects.bulk_create(
            [SKU(code=f"B-{n:07d}", name=f"Bench {n}") for n in range(existing, count)], batch_size=5000
        )
    ids = list(SKU.objects.filter(code__startswith="B-").order_by("pk").values_list("pk", flat=True)[:count])
    have = set(StockLevel.objects.filter(location=location).values_list("sku_id", flat=True))
    StockLevel.objects.bulk_create(
        [StockLevel(sku_id=pk, location=location, on_hand=1_000_000) for pk in ids if pk not in have],
        batch_size=5000,
    )
    return ids


def main(argv: list[str] | None = None) -> int:
    """Run the stock benchmarks and print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    _setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inventory_app.models import SKU, Location, StockLevel
    from inventory_app.selectors.availability import sku_available_to_sell

    location, _ = Location.objects.get_or_create(code="BENCH", defaults={"name": "Bench"})
    hot, _ = SKU.objects.get_or_create(code="HOT-1", defaults={"name": "Hot"})
    StockLevel.objects.update_or_create(
        sku=hot, location=location, defaults={"on_hand": 10_000_000, "committed": 0}
    )
    ids = _seed_many(args.skus, location)

    hot_result = _reserve_loop(
        workers=args.workers, seconds=args.seconds, pick=lambda rng: (hot.pk, location.pk)
    )
    spread_ids = ids[:5000]
    spread_result = _reserve_loop(
        workers=args.workers, seconds=args.seconds, pick=lambda rng: (rng.choice(spread_ids), location.pk)
    )

    timings = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            result = sku_available_to_sell()
            timings.append(time.perf_counter() - start)
    ats = {
        "skus": len(result),
        "seconds_best": round(min(timings), 3),
        "seconds_worst": round(max(timings), 3),
        "queries": len(queries),
    }
    subset = ids[: min(len(ids), 10_000)]
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        sku_available_to_sell(sku_ids=subset)
        subset_seconds = time.perf_counter() - start
    out = {
        "benchmark": "stock",
        "reserve_hot_sku": hot_result,
        "reserve_spread_skus": spread_result,
        "available_to_sell_all": ats,
        "available_to_sell_10k_ids": {"seconds": round(subset_seconds, 3), "queries": len(queries)},
    }
    print(json.dumps(out, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
