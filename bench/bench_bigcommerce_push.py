"""API calls of a full push of 100,000 SKUs to the fake BigCommerce store, through the engine.

    .venv/bin/python -m config.devservices --redis -- .venv/bin/python -m bench.bench_bigcommerce_push \\
        [--skus 100000]

100,000 SKUs with stock, each linked to a simple product (tracked by product) of the fake store;
the engine's push (``account_push_dirty``, looped until nothing is dirty) sends absolute
adjustments of at most 2,000 items (BigCommerce's documented limit), so the minimum is
ceil(SKUs / 2,000) = 50 calls. The fake counts every API call (and its quota's 429s) and checks
every figure afterwards. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.env import bench_environ_set  # noqa: E402 (after the path above)

bench_environ_set()

LIMIT = 2000


def full_push(*, skus: int) -> dict:
    import django

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("this benchmark needs PostgreSQL (run it under config.devservices --redis)")
    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from channels_app.intake.polling import account_orders_sync
    from channels_app.models import ChannelAccount, Listing
    from channels_app.push.run import _claimable, account_push_dirty
    from channels_app.services.accounts import account_create
    from config.sandbox.bigcommerce import FakeBigCommerce
    from inventory_app.models import SKU, Location, Product
    from inventory_app.services.ledger import StockChange, stock_apply

    call_command("migrate", verbosity=0)
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
    store = FakeBigCommerce(quota=450).start()  # the Pro plan's quota
    try:
        products = [store.state.add_product(f"P{n:06d}", sku=f"P{n:06d}") for n in range(skus)]
        account = account_create(
            kind="bigcommerce",
            name="Push target",
            base_url=store.url,
            credentials=store.credentials(),
            options={"location_id": 1},
            schedule=False,
            enabled=False,  # no push requested while the listings are being created
        )
        now = timezone.now()
        Listing.objects.bulk_create(
            [Listing(account=account, external_id=str(p.base_variant_id), external_product_id=str(p.id),
                     external_variant_id=str(p.base_variant_id), external_sku=p.sku, sku_id=sku_id,
                     extra={"inventory_tracking": "product"}, last_seen_qty=0, needs_push=True,
                     dirty_since=now, dirty_version=1)
             for p, sku_id in zip(products, ids, strict=True)],
            batch_size=5000,
        )  # fmt: skip
        ChannelAccount.objects.filter(pk=account.pk).update(enabled=True)
        account_orders_sync(account_id=account.pk)  # caught up with orders: increases may go out
        before = len(store.calls())
        started = time.perf_counter()
        runs = 0
        while _claimable(account=account).exists() and runs < 1000:
            account_push_dirty(account_id=account.pk, time_budget=600, follow_up=False)
            runs += 1
        wall = time.perf_counter() - started
        pushes = store.calls("PUT", "v3/inventory/adjustments/absolute")
        sizes = [len(a["items"]) for a in store.state.adjustments]
        levels = store.state.levels
        wrong = sum(
            1
            for p, i in zip(products, ids, strict=True)
            if levels[(p.base_variant_id, 1)]["onhand"] != 1 + i % 7
        )
        return {
            "bigcommerce_push_skus": skus,
            "bigcommerce_push_calls": len(pushes),
            "bigcommerce_push_min_calls": math.ceil(skus / LIMIT),
            "bigcommerce_push_items_per_call_max": max(sizes) if sizes else 0,
            "bigcommerce_push_all_api_calls": len(store.calls()) - before,
            "bigcommerce_push_429s": store.quota.rejected,
            "bigcommerce_push_wall_s": round(wall, 2),
            "bigcommerce_push_wrong_after": wrong,
        }
    finally:
        store.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=100_000)
    args = parser.parse_args()
    print(json.dumps(full_push(skus=args.skus)))


if __name__ == "__main__":
    main()
