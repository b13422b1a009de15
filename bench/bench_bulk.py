"""Bulk API benchmark: a 100,000-row catalog CSV import (seconds, peak memory), availability of
10,000 SKUs by POST (requests, seconds) and POST /stock/bulk (lines per second).

On the embedded default (SQLite) and on PostgreSQL (``make bench-bulk`` runs both):
    .venv/bin/python -m config.devservices --embedded -- .venv/bin/python -m bench.bench_bulk
    .venv/bin/python -m config.devservices --redis -- .venv/bin/python -m bench.bench_bulk
Prints one JSON object and writes it to bench/results/bulk-<database>.json. The import runs as
the background job does (import_job_create, then import_job_run as the Celery task calls it);
the API calls go through the whole DRF stack in process (APIClient), as a manager.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from bench.env import bench_environ_set

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    bench_environ_set()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB


def _catalog(rows: int) -> str:
    lines = ["sku,name,product,location,quantity"]
    for i in range(rows // 2):
        lines.append(f"B{i:06d},Bench item {i},Product {i % 100},WH1,{i % 40}")
        lines.append(f"B{i:06d},,,WH2,{i % 9 + 1}")
    return "\n".join(lines) + "\n"


def _import(rows: int) -> dict:
    from inventory_app.models import SKU, StockMovement
    from inventory_app.services.imports.jobs import import_job_create, import_job_run

    content = _catalog(rows)
    before = _peak_mb()
    started = time.perf_counter()
    job = import_job_create(content=content, dry_run=False, user=None, filename="bench.csv")
    del content
    job = import_job_run(job_id=job.pk)
    seconds = time.perf_counter() - started
    result = job.result or {}
    return {
        "rows": rows,
        "ok": result.get("ok"),
        "applied": result.get("applied"),
        "skus_created": result.get("skus_created"),
        "stock_rows": result.get("stock_rows"),
        "skus_in_db": SKU.objects.count(),
        "movements": StockMovement.objects.count(),
        "seconds": round(seconds, 1),
        "rows_per_s": round(rows / seconds),
        "peak_rss_mb_before": before,
        "peak_rss_mb_after": _peak_mb(),
    }


def _client():
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    user, _ = get_user_model().objects.get_or_create(
        username="bench-bulk", defaults={"is_staff": True, "is_superuser": True}
    )
    client = APIClient(HTTP_HOST="127.0.0.1")  # in ALLOWED_HOSTS of every benchmark
    client.force_authenticate(user)
    return client


def _availability(skus: int) -> dict:
    from inventory_app.models import SKU

    codes = list(SKU.objects.order_by("code").values_list("code", flat=True)[:skus])
    client, requests, answered = _client(), 0, 0
    started = time.perf_counter()
    for start in range(0, len(codes), 1000):
        response = client.post("/api/v1/availability/", {"skus": codes[start : start + 1000]}, format="json")
        assert response.status_code == 200, response.content[:300]
        requests += 1
        answered += len(response.json()["results"])
    return {"skus": answered, "requests": requests, "seconds": round(time.perf_counter() - started, 2)}


def _bulk_levels(requests: int) -> dict:
    from inventory_app.models import SKU

    codes = list(SKU.objects.order_by("code").values_list("code", flat=True)[: requests * 1000])
    client, lines_done = _client(), 0
    started = time.perf_counter()
    for n in range(requests):
        chunk = codes[n * 1000 : (n + 1) * 1000]
        lines = [{"sku": code, "location": "WH1", "adjust": 1 + i % 3} for i, code in enumerate(chunk)]
        response = client.post("/api/v1/stock/bulk", {"lines": lines}, format="json")
        assert response.status_code == 201, response.content[:300]
        lines_done += response.json()["applied"]
    seconds = time.perf_counter() - started
    return {
        "requests": requests,
        "lines": lines_done,
        "seconds": round(seconds, 2),
        "lines_per_s": round(lines_done / seconds),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000, help="catalog CSV rows (2 per SKU)")
    parser.add_argument("--availability-skus", type=int, default=10_000)
    parser.add_argument("--bulk-requests", type=int, default=5, help="POST /stock/bulk of 1,000 lines each")
    args = parser.parse_args(argv)
    _setup()
    from django.db import connection

    from inventory_app.models import SKU, Location

    if SKU.objects.exists():
        sys.exit("bench_bulk needs an empty database (run it under config.devservices)")
    Location.objects.create(code="WH1", name="One", priority=1)
    Location.objects.create(code="WH2", name="Two", priority=2)
    out = {"database": connection.vendor}
    out["import"] = _import(args.rows)
    print(json.dumps({"import": out["import"]}), file=sys.stderr, flush=True)
    out["availability"] = _availability(args.availability_skus)
    out["bulk_levels"] = _bulk_levels(args.bulk_requests)
    text = json.dumps(out, indent=2)
    print(text)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"bulk-{connection.vendor}.json").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
