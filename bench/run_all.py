"""`make bench`: run the stock, push (+ coalescing) and intake benchmarks, each in its own
process on the same throwaway PostgreSQL/Redis, and write bench/results/bench.json.

    .venv/bin/python -m config.devservices --redis -- .venv/bin/python -m bench.run_all \\
        [--quick] [--out bench/results/bench.json]

The top-level keys are the issue's contract (hot_sku_reservations_per_s, ats_100k_skus_s,
push_100k_calls, push_100k_min_calls, push_100k_peak_mb, pushes_per_1000_sales_of_one_sku,
intake_rps, bare_view_rps) plus a few more; each benchmark's whole output is kept under
``details``. ``--quick`` runs tiny sizes (the CI smoke test): the figures then mean nothing.
Each benchmark runs in a fresh database (the tables are emptied between them).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL = {
    "stock": ["--skus", "100000", "--workers", "16", "--seconds", "10"],
    "push": ["--skus", "100000", "--batch", "250", "--sales", "1000"],
    "intake": ["--requests", "4000", "--clients", "4"],
}
QUICK = {
    "stock": ["--skus", "500", "--workers", "4", "--seconds", "1"],
    "push": ["--skus", "600", "--batch", "250", "--sales", "50"],
    "intake": ["--requests", "100", "--clients", "2", "--seconds", "10"],
}


def _flush() -> None:
    """Empty every table (a fresh database for the next benchmark)."""
    subprocess.run(
        [sys.executable, "manage.py", "flush", "--no-input"],
        cwd=ROOT, env={**os.environ, "DEBUG": "1"}, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def _run(module: str, args: list[str], timeout: float) -> dict:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        raise SystemExit(f"{module} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    text = proc.stdout
    data = json.loads(text[text.index("{") :])
    data["_wall_s"] = round(time.monotonic() - started, 1)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "bench.json"))
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("make bench needs PostgreSQL and Redis: run it under python -m config.devservices --redis")
    sizes = QUICK if args.quick else FULL
    stock = _run("bench.bench_stock", sizes["stock"], 1800)
    _flush()
    push = _run("bench.bench_push", sizes["push"], 3600)
    _flush()
    intake = _run("bench.bench_intake", sizes["intake"], 900)
    out = {
        "quick": args.quick,
        "hot_sku_reservations_per_s": stock["reserve_hot_sku"]["per_second"],
        "spread_sku_reservations_per_s": stock["reserve_spread_skus"]["per_second"],
        "ats_100k_skus_s": stock["available_to_sell_all"]["seconds_best"],
        "ats_100k_skus_queries": stock["available_to_sell_all"]["queries"],
        "ats_skus": stock["available_to_sell_all"]["skus"],
        "push_100k_calls": push["push_100k_calls"],
        "push_100k_min_calls": push["push_100k_min_calls"],
        "push_100k_calls_ratio": push["push_100k_calls_ratio"],
        "push_100k_wall_s": push["push_100k_wall_s"],
        "push_100k_peak_mb": push["push_100k_peak_mb"],
        "push_skus": push["push_100k_skus"],
        "pushes_per_1000_sales_of_one_sku": push["pushes_per_1000_sales_of_one_sku"],
        "intake_rps": intake["intake_rps"],
        "bare_view_rps": intake["bare_view_rps"],
        "intake_to_bare_ratio": intake["intake_to_bare_ratio"],
        "cpus": os.cpu_count(),
        "details": {"stock": stock, "push": push, "intake": intake},
    }
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps({k: v for k, v in out.items() if k != "details"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
