"""Admin benchmark: every admin list and the dashboard with a large catalog, timed server-side.

Loads (bulk SQL, a minute or so) 100,000 SKUs with stock, 1,000,000 ledger movements, 200,000
orders with their lines, 100,000 listings with push records and inbound events, reorder rules,
suppliers and purchase orders into the throwaway PostgreSQL, then requests the dashboard, every
registered model's list and the filtered/sorted lists the dashboard links to, as a superuser
through Django's test client (the whole request: middleware, queries, templates). Prints the
pages slowest first and writes bench/results/admin.json.

    make bench-admin   (or)
    .venv/bin/python -m config.devservices -- .venv/bin/python -m bench.bench_admin [--skus 100000]

To keep the loaded data between runs, run it against a PostgreSQL that outlives it (e.g. one
started by ``config.devservices -- sleep 7200``, its DATABASE_URL exported) with ``--keep``:
migrations are applied to the kept data, and the load is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from bench.env import bench_environ_set

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MS = 500.0


def _setup() -> None:
    bench_environ_set()
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    # No beat runs here to refresh the dashboard's snapshot (services.dashboard) every minute:
    # it is taken once, timed on its own line, and kept for the whole run.
    os.environ.setdefault("DASHBOARD_CACHE_SECONDS", "3600")
    import django

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench_admin needs DATABASE_URL pointing at PostgreSQL (run it under config.devservices)")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.conf import settings
    from django.test.utils import override_settings

    # Pages render against the source static files (no collectstatic manifest needed).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()


def _ids(cursor, sql: str, params=()) -> list[int]:
    cursor.execute(sql, params)
    return [row[0] for row in cursor.fetchall()]


def load(*, skus: int, movements: int, orders: int, listings: int) -> dict:
    """Fill the database with bulk SQL; return the row counts and seconds taken."""
    from django.db import connection

    from channels_app.models import ChannelAccount
    from inventory_app.models import Location, SalesChannel, Supplier

    started = time.perf_counter()
    wh1 = Location.objects.create(code="WH1", name="Main", priority=1)
    Location.objects.create(code="WH2", name="Overflow", priority=2)
    channels = [
        SalesChannel.objects.create(code=f"shop-{n}", name=f"Shop {n}", kind="generic") for n in range(3)
    ]
    supplier = Supplier.objects.create(code="acme", name="Acme")
    account = ChannelAccount.objects.create(
        sales_channel=channels[0], kind="generic", name="Shop 0", base_url="https://shop.example"
    )
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO inventory_app_sku (code, barcode, name, attributes, weight_grams, default_unit_cost,"
            " is_active, is_kit, backorder_policy, created_at, updated_at, on_hand_total, committed_total,"
            " available_total)"
            " SELECT 'SKU-' || lpad(g::text, 7, '0'), (4000000000000 + g)::text, 'Item ' || g, '{}', 100, 5,"
            " true, false, 'reject', now(), now(), 0, 0, 0 FROM generate_series(1, %s) g",
            [skus],
        )
        first_sku = _ids(cur, "SELECT min(id) FROM inventory_app_sku")[0]
        cur.execute(
            "INSERT INTO inventory_app_stocklevel (sku_id, location_id, on_hand, committed, allow_backorder,"
            " updated_at, value) SELECT id, %s, (id * 7919) %% 50, least((id * 7919) %% 50, id %% 3), false,"
            " now(), 0"
            " FROM inventory_app_sku",
            [wh1.pk],
        )
        cur.execute(
            "INSERT INTO inventory_app_order (channel_id, external_ref, status, is_paid, customer_name,"
            " customer_email,"
            " shipping_address, currency, subtotal, shipping_total, tax_total, discount_total,"
            " total, placed_at, needs_attention, attention_reason, note, created_at, updated_at)"
            " SELECT (%s::bigint[])[(g %% 3) + 1], 'O-' || g,"
            " CASE WHEN g %% 20 = 0 THEN 'open' ELSE 'shipped' END, true, 'Buyer ' || g, '', '{}', 'USD',"
            " 20, 0, 0, 0, 20, now() - (g %% 86400) * interval '1 minute', g %% 100 = 0,"
            " CASE WHEN g %% 100 = 0 THEN 'Oversold: SKU-0000001 short 1' ELSE '' END, '', now(), now()"
            " FROM generate_series(1, %s) g",
            [[c.pk for c in channels], orders],
        )
        cur.execute(
            "INSERT INTO inventory_app_orderline (order_id, external_line_id, external_sku, title, quantity,"
            " quantity_shipped, quantity_cancelled, unit_price, backordered, sku_id)"
            " SELECT id, '1', '', '', 1 + id %% 3, CASE WHEN status = 'shipped' THEN 1 + id %% 3 ELSE 0 END,"
            " 0, 12.50, false, %s + (id %% %s) FROM inventory_app_order",
            [first_sku, skus],
        )
        first_line = _ids(cur, "SELECT min(id) FROM inventory_app_orderline")[0]
        operations = movements // 4
        cur.execute(
            "INSERT INTO inventory_app_stockoperation (uid, reason, reason_detail, reference, note,"
            " created_at)"
            " SELECT gen_random_uuid(), CASE WHEN g %% 5 = 0 THEN 'receipt' ELSE 'shipment' END, '', 'bench',"
            " '', now() - (g %% 86400) * interval '1 minute' FROM generate_series(1, %s) g",
            [operations],
        )
        cur.execute(
            "INSERT INTO inventory_app_stockmovement (operation_id, sku_id, location_id, reason,"
            " on_hand_delta, committed_delta, on_hand_after, committed_after, unit_cost, value_delta,"
            " created_at, order_line_id)"
            " SELECT op.id, %s + ((op.id * 4 + k) * 7919 %% %s), %s, op.reason,"
            " CASE op.reason WHEN 'receipt' THEN 10 ELSE -1 END, 0, 10, 0, 5,"
            " CASE op.reason WHEN 'receipt' THEN 50 ELSE -5 END, op.created_at,"
            " CASE op.reason WHEN 'shipment' THEN %s + (op.id %% %s) END"
            " FROM inventory_app_stockoperation op, generate_series(0, 3) k",
            [first_sku, skus, wh1.pk, first_line, orders],
        )
        cur.execute(
            "INSERT INTO inventory_app_reorderrule (sku_id, location_id, reorder_point, reorder_quantity,"
            " is_active, supplier_id) SELECT id, %s, 10, 24, true, %s FROM inventory_app_sku"
            " WHERE id %% 10 = 0",
            [wh1.pk, supplier.pk],
        )
        cur.execute(
            "INSERT INTO inventory_app_supplieritem (supplier_id, sku_id, supplier_sku, unit_price,"
            " min_order_quantity, is_preferred) SELECT %s, id, 'A-' || id, 4, 1, true FROM inventory_app_sku"
            " WHERE id %% 10 = 0",
            [supplier.pk],
        )
        cur.execute(
            "INSERT INTO inventory_app_purchaseorder (number, supplier_id, status, currency, exchange_rate,"
            " over_receipt_tolerance_percent, note, created_at, updated_at, location_id)"
            " SELECT 'PO-' || lpad(g::text, 6, '0'), %s, 'sent', 'USD', 1, 0, '', now(), now(), %s"
            " FROM generate_series(1, 2000) g",
            [supplier.pk, wh1.pk],
        )
        cur.execute(
            "INSERT INTO inventory_app_purchaseorderline (purchase_order_id, sku_id, supplier_sku,"
            " quantity_ordered, quantity_received, unit_cost)"
            " SELECT po.id, %s + ((po.id * 5 + k) * 104729 %% %s), '', 20, 0, 4"
            " FROM inventory_app_purchaseorder po, generate_series(0, 4) k",
            [first_sku, skus],
        )
        cur.execute(
            "INSERT INTO channels_app_listing (account_id, external_id, external_product_id,"
            " external_variant_id, external_inventory_item_id, external_offer_id, external_sku, title, extra,"
            " push_enabled, belief_shifted, last_error, push_failures, push_submission, needs_push,"
            " dirty_version, claimed_by, created_at, updated_at, sku_id, last_pushed_qty, last_pushed_at,"
            " dirty_since) SELECT %s, 'L' || id, '', '', '', '', code, name, '{}', true, false,"
            " CASE WHEN id %% 1000 = 0 THEN 'HTTP 500 from the channel' ELSE '' END,"
            " CASE WHEN id %% 1000 = 0 THEN 3 ELSE 0 END, '', id %% 100 = 0, 0, '', now(), now(), id,"
            " (id * 7919) %% 50, now(), CASE WHEN id %% 100 = 0 THEN now() END"
            " FROM inventory_app_sku ORDER BY id LIMIT %s",
            [account.pk, listings],
        )
        cur.execute(
            "INSERT INTO channels_app_pushrecord (account_id, listing_id, quantity, dry_run, outcome, error,"
            " created_at) SELECT account_id, id, 5, false, 'ok', '', now() FROM channels_app_listing"
        )
        cur.execute(
            "INSERT INTO channels_app_inboundevent (account_id, event_id, source, topic, payload,"
            " received_at, status, attempts, error)"
            " SELECT %s, 'E' || g, 'webhook', 'orders/create', '{}', now(),"
            " CASE WHEN g %% 500 = 0 THEN 'failed' ELSE 'processed' END, 1, '' FROM generate_series(1, %s) g",
            [account.pk, listings],
        )
        # What the ledger keeps beside the levels: each level's value, each SKU's totals.
        cur.execute(
            "UPDATE inventory_app_stocklevel l SET value = m.value FROM (SELECT sku_id, location_id,"
            " sum(value_delta) AS value FROM inventory_app_stockmovement WHERE on_hand_delta <> 0"
            " GROUP BY sku_id, location_id) m WHERE m.sku_id = l.sku_id AND m.location_id = l.location_id"
        )
    from inventory_app.services.stock_totals import sku_totals_refresh

    sku_totals_refresh()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "skus": skus,
        "movements": operations * 4,
        "orders": orders,
        "listings": listings,
        "load_seconds": round(time.perf_counter() - started, 1),
    }


def _pages() -> list[str]:
    from django.contrib import admin
    from django.urls import reverse

    pages = ["/admin/"]
    for model in admin.site._registry:
        pages.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    pages += [
        "/admin/inventory_app/sku/?stock=low",
        "/admin/inventory_app/sku/?stock=out",
        "/admin/inventory_app/sku/?o=-5",  # sorted by available
        "/admin/inventory_app/sku/?o=3",  # by on hand
        "/admin/inventory_app/sku/?o=-4",  # by committed
        "/admin/inventory_app/costreport/?report=cogs",  # the last 30 days
        "/admin/inventory_app/costreport/?report=cogs&after=SKU-0050000",  # a later page
        "/admin/inventory_app/sku/?q=SKU-0099999",
        "/admin/inventory_app/sku/?q=Item%209999",
        "/admin/inventory_app/order/?q=O-19999",  # an order number
        "/admin/inventory_app/order/?q=Buyer",  # matches every order: an estimated count
        "/admin/inventory_app/order/?q=SKU-0000042",  # a line's SKU
        "/admin/channels_app/listing/?q=SKU-0005",
        "/admin/inventory_app/order/?attention=oversold",
        "/admin/inventory_app/order/?needs_attention__exact=1",
        "/admin/channels_app/listing/?failing=yes",
        "/admin/inventory_app/reorderrule/needs-reordering/",
    ]
    return sorted(set(pages))


def measure(*, runs: int) -> tuple[list[dict], float]:
    """Each page: its first request (cold: empty caches but the dashboard's snapshot, which the
    beat task keeps, timed on its own line), then median and worst of ``runs`` timed requests,
    and its queries."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    root, _ = get_user_model().objects.get_or_create(
        username="bench-root", defaults={"is_superuser": True, "is_staff": True}
    )
    client.force_login(root)
    results = []
    from django.core.cache import cache

    cache.clear()
    from inventory_app.services.dashboard import dashboard_figures_refresh

    # The beat task's work (dashboard-refresh), timed: the dashboard then reads its snapshot.
    start = time.perf_counter()
    dashboard_figures_refresh()
    refresh_ms = round((time.perf_counter() - start) * 1000, 1)
    for url in _pages():
        start = time.perf_counter()
        response = client.get(url)
        first = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            results.append({"url": url, "status": response.status_code, "median_ms": None})
            continue
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - start) * 1000)
        results.append(
            {
                "url": url,
                "status": 200,
                "first_ms": round(first, 1),
                "median_ms": round(statistics.median(times), 1),
                "max_ms": round(max(times), 1),
                "queries": len(queries),
            }
        )
    return sorted(results, key=lambda r: -(r["median_ms"] or 1e9)), refresh_ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="reuse data already loaded (profiling)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "admin.json"))
    args = parser.parse_args(argv)
    _setup()
    from inventory_app.models import SKU

    if args.keep and SKU.objects.exists():
        data = {"skus": SKU.objects.count(), "reused": True}
    else:
        data = load(skus=args.skus, movements=args.movements, orders=args.orders, listings=args.listings)
    print(f"loaded {data}", flush=True)
    results, refresh_ms = measure(runs=args.runs)
    print(f"dashboard snapshot (beat task dashboard-refresh, off the page): {refresh_ms} ms", flush=True)
    over = [r for r in results if r["median_ms"] is None or r["median_ms"] > BUDGET_MS]
    for r in results:
        flag = "  OVER" if r in over else ""
        figures = f"{r['median_ms'] or 'ERR':>8} ms  max {r.get('max_ms', '-'):>8}"
        figures += f"  first {r.get('first_ms', '-'):>8}  q {r.get('queries', '-'):>3}"
        print(f"{figures}  {r['url']}{flag}")
    summary = {
        "data": data,
        "budget_ms": BUDGET_MS,
        "dashboard_refresh_ms": refresh_ms,
        "loadavg": Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else None,
        "slowest": results[0],
        "over_budget": [r["url"] for r in over],
        "pages": results,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps({"slowest": results[0], "over_budget": summary["over_budget"]}))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
