"""Etsy: API calls for a full push, and the sales a day the daily budget follows before it
must prioritise.

    .venv/bin/python -m bench.bench_etsy [--skus 100000] [--variants 1 5] [--poll 300]

* full push: ``--skus`` SKUs on the fake Etsy, ``--variants`` SKUs per Etsy listing (one run per
  value), every SKU's figure changed; the connector pushes them in the engine's batches of
  ``batch_max`` (100 SKUs) until every one is sent; the fake counts the calls. Etsy has no
  multi-listing write: the batch minimum is one PUT per listing (plus one batch read per 100
  listings). The fake's daily limit is lifted here: the figure is the calls, and the days they
  take at 10,000 a day.
* sales a day: one sale elsewhere changes one SKU; the push costs the calls measured here for a
  single change (a batch read and a PUT). The day's 10,000 calls minus the order polls (two calls
  each ``--poll`` seconds: receipts not cancelled, then cancelled ones) minus the floor below which
  rises wait (``budget_reserve`` + 25 % of the day) is what every change may spend; past it only
  drops are sent, drops to zero last of all.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.env import bench_environ_set  # noqa: E402 (after the path above)

bench_environ_set()

DAY = 10_000


def _listing(skus: list[str]) -> dict:
    products = [
        {
            "sku": sku,
            "property_values": [
                {
                    "property_id": 100,
                    "property_name": "Size",
                    "scale_id": None,
                    "value_ids": [n + 1],
                    "values": [sku],
                }
            ]
            if len(skus) > 1
            else [],
            "offerings": [
                {"price": 10.0 + n, "quantity": 50, "is_enabled": True, "readiness_state_id": None}
            ],
        }
        for n, sku in enumerate(skus)
    ]
    varying = [100] if len(skus) > 1 else []
    return {
        "products": products,
        "price_on_property": varying,
        "quantity_on_property": varying,
        "sku_on_property": varying,
    }


def _connector(fake, **options):
    from channels_app.connectors.dto import AccountConfig
    from channels_app.connectors.etsy.connector import EtsyConnector
    from channels_app.connectors.http import ChannelHttp
    from channels_app.connectors.tokens import MemoryTokenStore, StoredToken

    granted = fake.oauth.grant_direct()
    store = MemoryTokenStore(clock=fake.clock)
    store.token = StoredToken(
        access_token=granted["access_token"],
        expires_at=fake.clock() + 10**9,
        refresh_token=granted["refresh_token"],
    )
    config = AccountConfig(
        account_id=1,
        base_url=fake.url,
        credentials={"keystring": fake.keystring, "shared_secret": fake.shared_secret},
        options={"shop_id": str(fake.shop_id), **options},
    )
    return EtsyConnector(config=config, http=ChannelHttp(base_url=fake.url, allow_private=True), tokens=store)


def full_push(*, skus: int, variants: int) -> dict:
    """Calls of a full push of ``skus`` SKUs, ``variants`` per listing."""
    from django.core.cache import cache

    from channels_app.connectors.dto import ListingRef, QuantityUpdate
    from config.sandbox.etsy import FakeEtsy

    cache.clear()
    with FakeEtsy(per_second=10**9, per_day=10**9) as fake:
        refs = []
        for start in range(0, skus, variants):
            codes = [f"SKU-{n}" for n in range(start, min(start + variants, skus))]
            listing_id = fake.state.listing_add(title="Item", inventory=_listing(codes))
            refs.extend((listing_id, code) for code in codes)
        connector = _connector(fake)
        started = time.perf_counter()
        pending = [
            QuantityUpdate(
                listing=ListingRef(external_id=f"{lid}:{code}", external_sku=code),
                quantity=49,
                expected=50,
                idempotency_key=code,
            )
            for lid, code in refs
        ]
        while pending:
            batch, pending = pending[: connector.batch_max], pending[connector.batch_max :]
            results = connector.quantities_push(updates=batch)
            assert all(r.outcome == "ok" for r in results), results[:3]
        wall = time.perf_counter() - started
        calls = fake.api_calls()
        listings = len(fake.state.listings)
        return {
            "skus": skus,
            "skus_per_listing": variants,
            "listings": listings,
            "api_calls": len(calls),
            "puts": sum(r.method == "PUT" for r in calls),
            "batch_reads": sum(r.method == "GET" for r in calls),
            "batch_minimum_calls": listings,
            "days_at_10000_a_day": round(len(calls) / DAY, 2),
            "wall_seconds": round(wall, 1),
        }


def sale_cost() -> int:
    """Calls of the push that follows one sale elsewhere (one SKU changes)."""
    from django.core.cache import cache

    from channels_app.connectors.dto import ListingRef, QuantityUpdate
    from config.sandbox.etsy import FakeEtsy

    cache.clear()
    with FakeEtsy() as fake:
        listing_id = fake.state.listing_add(title="Item", inventory=_listing(["A", "B", "C"]))
        _connector(fake).quantities_push(
            updates=[QuantityUpdate(ListingRef(f"{listing_id}:B", external_sku="B"), 49, 50, "k")]
        )
        return len(fake.api_calls())


def sales_a_day(*, poll_seconds: int, reserve: int) -> dict:
    """How many sales a day the budget follows before it prioritises (see the module)."""
    from channels_app.connectors.etsy.budget import floor

    polls = 2 * 86400 // poll_seconds
    every_change = DAY - polls - floor(klass="increase", reserve=reserve, limit_per_day=DAY)
    drops_only = DAY - polls - floor(klass="zero", reserve=reserve, limit_per_day=DAY)
    per_sale = sale_cost()
    return {
        "daily_calls": DAY,
        "order_poll_calls": polls,
        "calls_per_sale_unbatched": per_sale,
        "calls_per_sale_batched": 1.01,
        "sales_before_prioritising_unbatched": every_change // per_sale,
        "sales_before_prioritising_batched": int(every_change / 1.01),
        "zero_stock_pushes_possible": drops_only // per_sale,
    }


def main() -> None:
    import django

    django.setup()
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--variants", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--poll", type=int, default=300, help="seconds between order polls")
    parser.add_argument("--reserve", type=int, default=300)
    args = parser.parse_args()
    out = {
        "full_push": [full_push(skus=args.skus, variants=v) for v in args.variants],
        "sales_a_day": sales_a_day(poll_seconds=args.poll, reserve=args.reserve),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
