"""Rakuten France: the API calls of a full push of 100,000 SKUs through the file window.

    .venv/bin/python -m config.devservices -- .venv/bin/python -m bench.bench_rakuten [--skus 100000]

The fake Rakuten (frozen clock, stock files processed 20 s after upload) holds one advert per
SKU at 0; the connector's push (``quantities_push``) is driven as the engine drives it: up to
``batch_max`` listings per call, deferred ones handed back when their wait is over, pending ones
when their report is due. Time is compressed: the fake clock (which the window's ledger follows
here) jumps to the next moment anything is due, so an hour of budget takes seconds. Prints one
JSON object: calls per action, files, and the simulated time until every listing was confirmed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.env import bench_environ_set  # noqa: E402 (after the path above)

bench_environ_set()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=100_000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench_rakuten needs PostgreSQL (run it under config.devservices)")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from channels_app.connectors.dto import ListingRef, QuantityUpdate
    from channels_app.services.accounts import account_connector, account_create
    from config.sandbox.amazon.clock import FakeClock
    from config.sandbox.rakuten import FakeRakuten, RakutenState

    clock = FakeClock(datetime.now(UTC), frozen=True)
    fake = FakeRakuten(state=RakutenState(clock=clock)).start()
    for n in range(args.skus):
        fake.state.seed_advert(f"SKU-{n:06d}", 0)
    account = account_create(
        kind="rakuten",
        name=f"Rakuten bench {time.time_ns()}",
        base_url=fake.base_url,
        credentials={"login": fake.state.login, "token": fake.state.token},
        schedule=False,
    )
    connector = account_connector(account=account)
    connector.pusher.now = clock.now
    start = clock.seconds()
    # sku -> (due at, submission token); every SKU gets 5 units (an increase from 0).
    due = {f"SKU-{n:06d}": (start, "") for n in range(args.skus)}
    calls_made, wall = 0, time.perf_counter()
    while due:
        now = clock.seconds()
        ready = sorted((sku for sku, (at, _t) in due.items() if at <= now), key=lambda s: due[s][0])
        for first in range(0, len(ready), connector.batch_max):
            batch = ready[first : first + connector.batch_max]
            updates = [
                QuantityUpdate(ListingRef(external_id=sku, push_submission=due[sku][1]), 5, 0, f"{sku}-5")
                for sku in batch
            ]
            calls_made += 1
            for result in connector.quantities_push(updates=updates):
                sku = result.external_id
                if result.outcome in ("ok", "error"):
                    del due[sku]
                elif result.outcome == "pending":
                    due[sku] = (now + (result.retry_after or 0), result.submission_id)
                else:  # deferred or retry
                    due[sku] = (now + (result.retry_after or 1), due[sku][1])
        if due:
            next_at = min(at for at, _t in due.values())
            fake.advance(max(next_at - clock.seconds(), 0.0))
    fake.stop()
    print(
        json.dumps(
            {
                "skus": args.skus,
                "files": fake.calls["genericimportfile"],
                "calls": dict(sorted(fake.calls.items())),
                "total_calls": sum(fake.calls.values()),
                "push_calls_by_engine": calls_made,
                "simulated_minutes_until_all_confirmed": round((clock.seconds() - start) / 60, 1),
                "files_refused_by_rakuten": fake.state.files_refused,
                "wall_seconds": round(time.perf_counter() - wall, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
