"""API calls for a full push of N SKUs to WooCommerce (the fake store), through the connector.

    .venv/bin/python -m bench.woocommerce_push_calls [--skus 100000] [--variable-parents 0]

The store gets ``--skus`` managed items: simple products, or (``--variable-parents`` P) P
variable products sharing the SKUs as variations. Every item is pushed once through
``quantities_push`` in calls of the connector's ``batch_max`` (100, WooCommerce's limit); the
fake counts the batch requests it received. The minimum is ceil(SKUs / 100) = 1,000 calls for
100,000 SKUs; variations are batched per parent, so many small parents cost one call each.
Needs no database. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.env import bench_environ_set  # noqa: E402 (after the path above)

bench_environ_set()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--variable-parents", type=int, default=0)
    args = parser.parse_args()

    import django

    django.setup()
    from channels_app.connectors.dto import AccountConfig, ListingRef, QuantityUpdate
    from channels_app.connectors.registry import connector_build
    from config.sandbox.woocommerce import FakeWooCommerce

    with FakeWooCommerce() as fake:
        refs = []
        if args.variable_parents:
            per_parent = math.ceil(args.skus / args.variable_parents)
            for p in range(args.variable_parents):
                specs = [{"sku": f"V{p}-{n}", "quantity": 1} for n in range(per_parent)]
                parent = fake.store.variable_add(name=f"Parent {p}", variations=specs)
                refs += [ListingRef(external_id=str(v), external_product_id=str(parent["id"]),
                                    external_variant_id=str(v)) for v in parent["variations"]]  # fmt: skip
            refs = refs[: args.skus]
        else:
            for n in range(args.skus):
                item = fake.store.product_add(sku=f"S{n}", quantity=1)
                refs.append(ListingRef(external_id=str(item["id"]), external_product_id=str(item["id"])))
        config = AccountConfig(
            account_id=1,
            base_url=fake.url,
            credentials={"consumer_key": fake.consumer_key, "consumer_secret": fake.consumer_secret},
        )
        connector = connector_build(kind="woocommerce", config=config)
        started = time.monotonic()
        ok = 0
        for start in range(0, len(refs), connector.batch_max):
            chunk = refs[start : start + connector.batch_max]
            updates = [
                QuantityUpdate(listing=r, quantity=0, expected=None, idempotency_key=r.external_id)
                for r in chunk
            ]
            ok += sum(r.outcome == "ok" for r in connector.quantities_push(updates=updates))
        elapsed = time.monotonic() - started
        calls = sum(v for k, v in fake.calls.items() if k.endswith("/batch"))
        print(json.dumps({
            "skus": len(refs), "variable_parents": args.variable_parents, "pushed_ok": ok,
            "batch_calls": calls, "batch_minimum": math.ceil(len(refs) / 100),
            "engine_calls_of_quantities_push": math.ceil(len(refs) / connector.batch_max),
            "seconds": round(elapsed, 1),
        }))  # fmt: skip


if __name__ == "__main__":
    main()
