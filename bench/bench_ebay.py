"""eBay budgets: API calls for a full push of N SKUs (measured against the fake eBay), and how
many sales a day eBay's budgets can follow before the connector must prioritise.

    .venv/bin/python -m bench.bench_ebay [--skus 100000] [--discover 2000]

Measured: the connector pushes a new figure to every one of ``--skus`` SKUs (each its own
listing) on the fake eBay and the fake counts the calls it received (bulkUpdatePriceQuantity
takes at most 25 per call); listing discovery (getInventoryItems + one getOffers per SKU) is
measured on ``--discover`` SKUs and scaled. Computed from eBay's published budgets (figures in
docs/vendors/ebay.md §7-§8): what a day can follow. No database; prints one JSON object and
writes bench/results/ebay.json.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

from bench.env import bench_environ_set

ROOT = Path(__file__).resolve().parent.parent
INVENTORY_DAILY = 2_000_000  # Sell Inventory API calls per app per day (default limit)
ORDER_DAILY = 100_000  # Sell Fulfillment ``order`` resource calls per app per day
POLL_EVERY_SECONDS = 60


def _connector(fake):
    from channels_app.connectors.dto import AccountConfig
    from channels_app.connectors.ebay.connector import EbayConnector
    from channels_app.connectors.ebay.revisions import MemoryRevisionBook
    from channels_app.connectors.http import ChannelHttp
    from channels_app.connectors.tokens import MemoryTokenStore

    config = AccountConfig(
        account_id=1,
        base_url=fake.url,
        credentials={
            "client_id": fake.state.client_id,
            "client_secret": fake.state.client_secret,
            "ru_name": fake.state.ru_name,
            "verification_token": "bench-verification-token-0123456789abcdef",
        },
        options={"items_page_size": 200},
    )
    connector = EbayConnector(
        config=config,
        http=ChannelHttp(base_url=fake.url, allow_private=True),
        tokens=MemoryTokenStore(),
        revisions=MemoryRevisionBook(),
    )
    token = connector.connect_finish(params={"state": "b", "code": fake.consent()}, state="b")
    connector.auth.tokens.renew(stale_version=None, fetch=lambda _current: token)
    return connector


def _calls(fake, suffix: str) -> int:
    return sum(1 for r in fake.requests if r["path"].endswith(suffix))


def measure(*, skus: int, discover: int) -> dict:
    from channels_app.connectors.dto import ListingRef, QuantityUpdate
    from channels_app.connectors.ebay.revisions import CAP
    from config.sandbox.ebay import FakeEbay

    with FakeEbay() as fake:
        offers = [fake.item_add(f"SKU-{i:06d}", 5) for i in range(skus)]
        connector = _connector(fake)
        started = time.monotonic()
        updates = [
            QuantityUpdate(
                listing=ListingRef(
                    external_id=o.sku, external_offer_id=o.offer_id, external_product_id=o.listing_id
                ),
                quantity=4,
                expected=5,
                idempotency_key=o.sku,
            )
            for o in offers
        ]
        for start in range(0, len(updates), connector.batch_max):  # the engine hands out batch_max at a time
            results = connector.quantities_push(updates=updates[start : start + connector.batch_max])
            assert all(r.outcome == "ok" for r in results), results[:1]
        push_seconds = time.monotonic() - started
        push_calls = _calls(fake, "/bulk_update_price_quantity")
        assert all(fake.quantity(o.sku) == 4 for o in offers[:: max(skus // 100, 1)])

    with FakeEbay() as fake:
        for i in range(discover):
            fake.item_add(f"SKU-{i:06d}", 5)
        connector = _connector(fake)
        cursor, pages = None, 0
        while True:
            page = connector.listings_fetch(cursor=cursor)
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break
        per_sku = (_calls(fake, "/inventory_item") + _calls(fake, "/offer")) / discover

    polls = 86400 // POLL_EVERY_SECONDS
    return {
        "skus": skus,
        "full_push_calls_measured": push_calls,
        "full_push_calls_minimum": math.ceil(skus / 25),
        "full_push_seconds_on_the_fake": round(push_seconds, 1),
        "full_push_share_of_inventory_daily_quota": round(push_calls / INVENTORY_DAILY, 4),
        "listing_discovery_calls_for_all_skus": math.ceil(per_sku * skus),
        "listing_discovery_measured_on": discover,
        "revisions_per_listing_per_day": CAP,
        "sales_per_listing_per_day_followed_one_push_each": CAP - 20,
        "sales_per_listing_per_day_note": (
            "beyond 230 revisions a listing's pushes go only to its last units and drops to zero"
            " (reserve 20); the engine coalesces sales between pushes, so a busier listing is"
            " followed at one push per flush, the last 20 units one by one"
        ),
        "sales_per_day_app_wide_inventory_quota": INVENTORY_DAILY * 25,
        "order_polls_per_day": polls,
        "sales_per_day_with_a_getorder_each": ORDER_DAILY - polls,
        "sales_per_day_by_polling_alone": (ORDER_DAILY - polls) * 200,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--discover", type=int, default=2_000)
    args = parser.parse_args(argv)
    bench_environ_set()
    import django

    django.setup()
    figures = measure(skus=args.skus, discover=args.discover)
    text = json.dumps(figures, indent=2)
    print(text)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "ebay.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
