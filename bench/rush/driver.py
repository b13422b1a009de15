"""The rush's timeline: set-up, first push, buyers with faults, drain, burst, measurements."""

from __future__ import annotations

import os
import random
import sys
import threading
import time

# Channels of the rush and the buyers' mix (the seeded intent stream depends on both).
CHANNEL_NAMES = ["shopify", "bigcommerce", "woocommerce", "amazon"]
CHANNEL_SHARES = [0.35, 0.25, 0.2, 0.2]


def _log(message: str) -> None:
    print(f"[rush {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def run(*, args, faults: dict) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import close_old_connections

    call_command("migrate", verbosity=0)
    import requests

    from bench.rush import measure
    from bench.rush.adapters import ShopifyChannel
    from bench.rush.amazon import AmazonChannel
    from bench.rush.baseline import baseline_run
    from bench.rush.bigcommerce import BigCommerceChannel
    from bench.rush.catalog import catalog_build
    from bench.rush.channels import Deliverer, WebhookFaults
    from bench.rush.procs import Supervisor
    from bench.rush.run import Truth, _catalog_load, _pct
    from bench.rush.traffic import intents_build, oversold_sales, oversold_units, withheld_units
    from bench.rush.woocommerce import WooCommerceChannel
    from inventory_app.models import Location, Order

    catalog = catalog_build(seed=args.seed, skus=args.skus, kits=args.kits)
    names, shares = CHANNEL_NAMES, CHANNEL_SHARES
    intents = intents_build(
        seed=args.seed, catalog=catalog, channels=names, shares=shares, rate=args.rate, seconds=args.seconds
    )
    location = Location.objects.create(code="WH", name="Warehouse", is_sellable=True)
    _catalog_load(catalog, location)
    _log(f"catalog: {len(catalog.stock)} SKUs, {args.kits} kits, {len(intents)} buyers")
    amazon = AmazonChannel("amazon", poll_seconds=args.amazon_poll, max_wait=args.amazon_max_wait,
                           notifications=getattr(args, "amazon_notifications", "on") == "on")  # fmt: skip
    bigc, woo = BigCommerceChannel("bigcommerce"), WooCommerceChannel("woocommerce")
    channels = [ShopifyChannel("shopify"), bigc, woo, amazon]
    by_name = {ch.name: ch for ch in channels}
    for ch in channels:
        ch.setup(items=catalog.items, location_ids=[location.pk])
        if getattr(args, "buffers", "on") == "off":
            from channels_app.services.actions import account_update

            account_update(account=ch.account, data={"adaptive_buffer": False})
    sup = Supervisor(env=dict(os.environ), web_workers=args.web_workers,
                     celery_workers=args.celery_workers, concurrency=args.concurrency)  # fmt: skip
    _log("channels set up; starting gunicorn, workers, beat")
    sup.start()
    truth = Truth(catalog, channels)
    deliverer = Deliverer(rng=random.Random(args.seed + 3))
    hooks = WebhookFaults(duplicate=faults["webhook_duplicate"], delay=faults["webhook_delay"],
                          reorder=faults["webhook_out_of_order"])  # fmt: skip
    base_url = f"http://127.0.0.1:{sup.port}"
    result: dict = {"seed": args.seed, "faults_on": args.faults == "on", "channels": names}
    try:
        if not _wait(
            lambda: requests.get(base_url + "/healthz", timeout=2).ok if _up(base_url) else False, 60
        ):
            raise SystemExit("gunicorn did not come up")
        for n, ch in enumerate(channels):
            ch.webhooks_start(
                base_url=base_url, deliverer=deliverer, faults=hooks, rng=random.Random(args.seed * 31 + n)
            )
        _log("webhooks registered; waiting for the first push")
        t0 = time.monotonic()
        first = _wait(lambda: all(ch.shows(i) == catalog.ats(i, catalog.stock) for ch in channels
                                  for i in catalog.items), args.first_push_timeout)  # fmt: skip
        result["first_push_s"] = round(time.monotonic() - t0, 1) if first else None
        _log(f"first push: {result['first_push_s']} s")
        counts_before = {ch.name: ch.api_calls() for ch in channels}
        stop, watch_stop = threading.Event(), threading.Event()
        threads = [threading.Thread(target=truth.sampler, daemon=True),
                   threading.Thread(target=_memory, args=(sup, stop), daemon=True),
                   threading.Thread(target=sup.watch, args=(watch_stop,), daemon=True),
                   threading.Thread(target=_vendor_faults, args=(channels, faults, stop, args.seed),
                                    daemon=True)]  # fmt: skip
        for thread in threads:
            thread.start()
        events = []
        if faults.get("worker_kill_at") is not None:
            events.append((faults["worker_kill_at"] * args.seconds, "worker_kill"))
        if faults.get("broker_restart_at") is not None:
            events.append((faults["broker_restart_at"] * args.seconds, "broker_restart"))
        start, cpu_start = time.time(), time.process_time()
        for intent in intents:
            while events and time.time() - start >= events[0][0]:
                _, what = events.pop(0)
                threading.Thread(target=sup.kill_worker if what == "worker_kill" else sup.restart_broker,
                                 daemon=True).start()  # fmt: skip
            delay = start + intent.at - time.time()
            if delay > 0:
                time.sleep(delay)
            ch = by_name[intent.channel]
            if ch.shows(intent.item) < intent.qty:
                ch.walked_away += 1
                ch.withheld += withheld_units(catalog=catalog, remaining=truth.remaining, intent=intent)
                continue
            sale = ch.buy(intent.item, intent.qty)
            if sale is None:
                ch.walked_away += 1
                continue
            ch.sales.append(sale)
            truth.sold(sale)
        buying_s = time.time() - start
        _log(f"buyers done in {buying_s:.0f} s; draining")
        stop.set()
        for ch in channels:
            ch.vendor_fault("fast")

        def drained() -> bool:
            close_old_connections()
            if not deliverer.idle():
                return False
            if any(measure.lost_orders(channels=channels).values()):
                return False
            return all(
                ch.shows(i) <= max(0, catalog.ats(i, truth.remaining))
                for ch in channels
                for i in catalog.items
            )

        drain_start = time.monotonic()
        result["drained"] = _wait(drained, args.drain)
        result["drain_s"] = round(time.monotonic() - drain_start, 1)
        # The driver's own CPU over buying and drain (its fakes, buyers, sampler and deliverer
        # share one interpreter): how much of the machine the measuring took from the system.
        result["driver_cpu_s"] = round(time.process_time() - cpu_start, 1)
        truth.stopped = True
        _log(f"drained={result['drained']} in {result['drain_s']} s; measuring")
        close_old_connections()
        lost = measure.lost_orders(channels=channels)
        sales = [(s.at, s.item, s.qty, ch.name) for ch in channels for s in ch.sales]
        base = baseline_run(catalog=catalog, intents=intents, channels=names, interval=args.baseline_interval)
        sensitivity = {
            str(int(i)): baseline_run(catalog=catalog, intents=intents, channels=names, interval=i)[
                "oversold_units"
            ]
            for i in (60, 10, 1)
        }
        latencies = [lat for _, lat in truth.done]
        calls = {}
        for ch in channels:
            now, before = ch.api_calls(), counts_before[ch.name]
            made = now["calls"] - before["calls"]
            limited = now["rate_limited"] - before["rate_limited"]
            calls[ch.name] = {"calls": made, "rate_limited": limited,
                              "rate_limited_share": round(limited / made, 4) if made else 0.0}  # fmt: skip
            calls[ch.name].update(_calls_extra(now, before))
        violations = measure.invariant_violations()
        result.update({
            "skus": args.skus, "kits": args.kits, "buyers": len(intents), "buying_s": round(buying_s, 1),
            "orders_placed": {ch.name: len(ch.sales) for ch in channels},
            "walked_away": {ch.name: ch.walked_away for ch in channels},
            "withheld_units": sum(ch.withheld for ch in channels),
            "withheld_by_channel": {ch.name: ch.withheld for ch in channels},
            "oversold_by_channel": {
                ch.name: oversold_units(catalog=catalog, sales=sales, only=ch.name) for ch in channels
            },
            "baseline_withheld_units": base["withheld_units"],
            "adaptive_buffers": args.buffers,
            "oversold_units": oversold_units(catalog=catalog, sales=sales),
            "oversold_sales": oversold_sales(catalog=catalog, sales=sales),
            # When: the buying's start (epoch s; oversold_sales' "at" is on the same clock) and
            # each channel's quantity pushes per 10 s from it (channels whose fake logs times).
            "buying_started_at": round(start, 2),
            "pushes_per_10s": {ch.name: timeline for ch in channels
                               if (timeline := ch.pushes_timeline(start=start, step=10.0)) is not None},
            "baseline_oversold_units": base["oversold_units"],
            "baseline_orders": base["orders"],
            "baseline_interval_s": args.baseline_interval,
            "baseline_oversold_by_interval_s": sensitivity,
            "lost_orders": sum(len(v) for v in lost.values()),
            "lost_order_ids": {k: v[:20] for k, v in lost.items() if v},
            "duplicate_reservations": measure.duplicate_reservations(),
            "invariant_violations": sum(violations.values()),
            "invariant_violations_by_kind": violations,
            "latency_p50_s": _pct(latencies, 0.5), "latency_p95_s": _pct(latencies, 0.95),
            "latency_p99_s": _pct(latencies, 0.99), "latency_max_s": _pct(latencies, 1.0),
            "latency_samples": len(latencies), "latency_unreached": len(truth.pending),
            "latency_p99_s_by_origin": {n: _pct([x for o, x in truth.done if o == n], 0.99) for n in names},
            # When each destination channel showed the sale (p50, p99): who holds the p99 up.
            "latency_s_by_destination": {
                n: [_pct([x for d, x in truth.reached if d == n], q) for q in (0.5, 0.99)] for n in names
            },
            "latency_slowest": truth.slowest,
            "api_calls": calls,
            "webhook_deliveries": {"posted_by_driver": deliverer.posted,
                                   "failed_then_retried": deliverer.failed},
            "faults": faults,
            "faults_injected": {ch.name: dict(ch.injected) for ch in channels},
            "restarts": dict(sup.restarts),
            "crash_restarts": dict(sup.crashes),
            "celery_unrecoverable_errors": sup.log_count("Unrecoverable error"),
        })  # fmt: skip
        result["engine_activity"] = measure.engine_activity()
        result["oversold_push_history"] = measure.oversold_push_history(
            accounts={ch.name: ch.account for ch in channels}, sales=result["oversold_sales"]
        )
        result["amazon_intake_s"] = amazon.intake_latency()
        result["intake_s"] = measure.intake_seconds(channels=channels, start=start)
        result["not_converged"] = _mismatches(channels, catalog, truth)
        result["listings_stored_by_rush"] = {
            ch.name: ch.unimported for ch in channels if hasattr(ch, "unimported")
        }
        result["orders_per_s"] = (
            _burst(by_name["bigcommerce"], catalog, args.burst, deliverer, senders=args.burst_senders)
            if args.burst
            else None
        )
        _log("burst done")
        watch_stop.set()
        sup.sample()
        result["peak_memory_mb"] = dict(sup.peak_mb)
        result["processes_alive_at_end"] = sup.alive()
        result["orders_in_ledger"] = Order.objects.count()
        return result
    finally:
        deliverer.stop()
        sup.stop()
        for ch in channels:
            ch.stop()


def _calls_extra(now: dict, before: dict) -> dict:
    """Channel-specific counters of ``api_calls`` beyond calls/rate_limited (Amazon: 429s of the
    usage plans alone and per SP-API operation), as differences over the run."""
    out: dict = {}
    if "usage_plan_429" in now:
        out["usage_plan_429"] = now["usage_plan_429"] - before.get("usage_plan_429", 0)
    if "by_operation" in now:
        ops = {}
        for op, row in now["by_operation"].items():
            was = before.get("by_operation", {}).get(op, {"calls": 0, "rate_limited": 0})
            made, limited = row["calls"] - was["calls"], row["rate_limited"] - was["rate_limited"]
            if made:
                ops[op] = {"calls": made, "rate_limited": limited}
        out["by_operation"] = ops
    return out


def _mismatches(channels, catalog, truth) -> dict:
    """Listings still showing more than the true stock after the drain, with our ledger's figure
    and the engine's listing state (a sample), to tell an intake gap from a push gap."""
    from channels_app.models import Listing
    from inventory_app.models import SKU
    from inventory_app.selectors.availability import sku_available_to_sell

    ids = dict(SKU.objects.values_list("code", "pk"))
    ours = sku_available_to_sell(sku_ids=list(ids.values()))
    out = {"count": 0, "sample": []}
    for ch in channels:
        for item in catalog.items:
            true = max(0, catalog.ats(item, truth.remaining))
            shown = ch.shows(item)
            if shown > true:
                out["count"] += 1
                if len(out["sample"]) < 8:
                    row = (
                        Listing.objects.filter(account=ch.account, sku_id=ids[item.code])
                        .values(
                            "needs_push", "last_pushed_qty", "last_seen_qty", "push_failures", "last_error"
                        )
                        .first()
                    )
                    out["sample"].append({"channel": ch.name, "item": item.code, "shown": shown,
                                          "true": true, "ledger_ats": ours.get(ids[item.code]),
                                          "listing": row})  # fmt: skip
    return out


def _up(base_url: str) -> bool:
    import requests

    try:
        requests.get(base_url + "/healthz", timeout=1)
        return True
    except requests.RequestException:
        return False


def _memory(sup, stop) -> None:
    while not stop.wait(2.0):
        sup.sample()


def _vendor_faults(channels, faults: dict, stop, seed: int) -> None:
    rng = random.Random(seed * 13 + 5)
    slow_until: dict[str, float] = {}
    while not stop.wait(1.0):
        now = time.time()
        for ch in channels:
            ch.vendor_faults_lapse()
            if rng.random() < faults["vendor_429_per_s"]:
                ch.vendor_fault("429")
            if rng.random() < faults["vendor_5xx_per_s"]:
                ch.vendor_fault("5xx")
            if ch.name in slow_until and now >= slow_until[ch.name]:
                ch.vendor_fault("fast")
                del slow_until[ch.name]
            elif ch.name not in slow_until and rng.random() < faults["vendor_slow_per_s"]:
                ch.vendor_fault("slow")
                slow_until[ch.name] = now + 2.0


def _burst(channel, catalog, count: int, deliverer, *, senders: int = 16) -> float | None:
    """Ingestion throughput: ``count`` orders of one well-stocked SKU on the BigCommerce store,
    their signed ``store/order/created`` deliveries posted by ``senders`` threads as fast as
    possible, a failed one posted again (each costs us a re-fetch of the order and its products;
    the store quota is lifted for the burst, so it measures our intake, not BigCommerce's cap);
    orders/s = count / (first post .. last order created). A separate SKU, so the burst does not
    touch the oversell figures."""
    import requests
    from django.db import close_old_connections

    from bench.rush.adapters import _import_listings
    from inventory_app.models import SKU, Location, Order, Product
    from inventory_app.services.stock import stock_receive

    product = Product.objects.create(name="Burst")
    sku = SKU.objects.create(product=product, code="BURST", name="Burst")
    stock_receive(sku=sku, location=Location.objects.get(code="WH"), quantity=count * 2)
    channel.fake.state.add_product("Burst", sku="BURST", tracking="product", quantity=count * 2)
    _import_listings(channel.account)
    payloads = channel.burst_orders(sku="BURST", count=count)
    channel.fake.quota.quota = 1_000_000  # our intake, not the store quota (1,500/30 s caps it at 25/s)
    before = Order.objects.filter(channel_id=channel.account.sales_channel_id).count()
    lock = threading.Lock()
    started = time.time()

    def sender() -> None:
        session = requests.Session()
        while True:
            with lock:
                if not payloads:
                    return
                url, body, headers = payloads.pop()
            try:
                ok = session.post(url, data=body, headers=headers, timeout=30).status_code < 300
            except requests.RequestException:
                ok = False
            if not ok:  # the store retries a failed delivery (sooner here than BigCommerce's 60 s)
                with lock:
                    payloads.insert(0, (url, body, headers))

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    def done() -> bool:
        close_old_connections()
        return Order.objects.filter(channel_id=channel.account.sales_channel_id).count() >= before + count

    if not _wait(done, 180):
        return None
    last = Order.objects.order_by("-created_at").values_list("created_at", flat=True).first().timestamp()
    return round(count / max(last - started, 1e-6), 1)
