"""Magento push benchmark: API calls for a full push of N SKUs (default 100,000) to the fake
Magento store, synchronous (20 source items a request with input limiting, 100 without) and
through the asynchronous bulk endpoint; plus the model of the sale-to-Magento latency.

The connector runs as the engine runs it (one ``quantities_push`` per engine batch of
``batch_max`` updates) against ``config.sandbox.magento`` on 127.0.0.1; every HTTP call is
counted by route. No database is needed.

    .venv/bin/python -m bench.bench_magento [--skus 100000] [--open-orders 50] [--poll 60]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from bench.env import bench_environ_set

ROOT = Path(__file__).resolve().parent.parent


def _push_all(*, fake, options: dict, skus: list[str]) -> dict:
    from channels_app.connectors.dto import AccountConfig, ListingRef, QuantityUpdate
    from channels_app.connectors.registry import connector_build

    config = AccountConfig(
        account_id=1,
        base_url=fake.url,
        credentials=fake.integration.credentials(),
        options={"source_code": "default", **options},
    )
    connector = connector_build(kind="magento", config=config)
    fake.requests.clear()
    started = time.monotonic()
    outcomes: Counter[str] = Counter()
    tokens: dict[str, str] = {}
    for i in range(0, len(skus), connector.batch_max):
        batch = [
            QuantityUpdate(listing=ListingRef(external_id=s), quantity=7, expected=None, idempotency_key=s)
            for s in skus[i : i + connector.batch_max]
        ]
        for result in connector.quantities_push(updates=batch):
            outcomes[result.outcome] += 1
            if result.submission_id:
                tokens[result.external_id] = result.submission_id
    if tokens:  # bulk: the consumer runs, then the engine's next push settles each listing
        fake.store.bulk_run()
        for i in range(0, len(skus), connector.batch_max):
            batch = [
                QuantityUpdate(
                    listing=ListingRef(external_id=s, push_submission=tokens[s]),
                    quantity=7,
                    expected=None,
                    idempotency_key=s,
                )
                for s in skus[i : i + connector.batch_max]
            ]
            for result in connector.quantities_push(updates=batch):
                outcomes[f"then {result.outcome}"] += 1
    seconds = time.monotonic() - started
    calls = Counter(f"{r['method']} /{r['prefix']}V1/{r['resource'].split('/')[0]}" for r in fake.requests)
    return {
        "calls": sum(calls.values()),
        "by_route": dict(calls),
        "engine_batches": -(-len(skus) // connector.batch_max),
        "outcomes": dict(outcomes),
        "seconds": round(seconds, 1),
        "salable_ok": all(q == 7 for q in fake.quantities().values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--open-orders", type=int, default=50, help="open Magento orders (reservations)")
    parser.add_argument("--poll", type=float, default=60.0, help="the Magento account's order poll, seconds")
    args = parser.parse_args()
    bench_environ_set()
    import django

    django.setup()
    from config.sandbox.magento import FakeMagento

    skus = [f"SKU-{i:06d}" for i in range(args.skus)]
    report: dict[str, object] = {"skus": args.skus, "open_orders": args.open_orders}
    scenarios = {
        "sync, input limiting on (20/request)": ({"input_limiting": True}, True),
        "sync, input limiting off (100/request)": ({}, False),
        "async bulk (bodies of 20)": ({"bulk": True, "input_limiting": True}, True),
    }
    for name, (options, limits) in scenarios.items():
        with FakeMagento(mode="single") as fake:
            fake.input_limits = limits
            for sku in skus:
                fake.store.product_add(sku)
            for n in range(args.open_orders):  # Magento's own open orders hold reservations
                fake.store.source_item_set(skus[n], "default", 5)
                fake.store.buy(skus[n], 1)
            report[name] = _push_all(fake=fake, options=options, skus=skus)
        print(f"{name}: {json.dumps(report[name])}", flush=True)
    # A sale on Magento reaches us with the next order poll: the wait is uniform over the poll
    # interval, then one poll page and the push (measured in the end-to-end test: ~1-2 s).
    poll = args.poll
    report["magento_sale_latency_model_s"] = {
        "poll": poll,
        "p50": round(poll * 0.5, 1),
        "p99": round(poll * 0.99, 1),
    }
    print(
        f"Magento sale -> engine (poll {poll:.0f} s): p50 {poll * 0.5:.1f} s + processing,"
        f" p99 {poll * 0.99:.1f} s"
    )
    out = ROOT / "bench" / "results" / "magento.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
