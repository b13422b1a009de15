"""Events benchmark: stock changes to signed webhook deliveries, through real Celery workers.

    .venv/bin/python -m config.devservices --redis -- .venv/bin/python -m bench.bench_events \\
        [--skus 1000] [--latency-changes 200] [--rate 20] [--burst-changes 2000] [--batch 100] \\
        [--celery-workers 2] [--concurrency 2]

A webhook endpoint (a real HTTP server on 127.0.0.1 that checks every signature) subscribes to
``availability.changed``. Two phases, each change being one stock adjustment of one SKU made
through the stock service in this process (its commit enqueues the publish task):

* lag: changes paced at ``--rate`` a second, each on its own SKU; for each, the time from its
  commit to the arrival of its event at the endpoint - p50, p99, max;
* throughput: ``--burst-changes`` changes committed at once, in stock operations of ``--batch``
  SKUs each (so the producer is not what is measured); events delivered per second is the
  events received divided by the time from the first commit to the last delivery.

Prints one JSON object and writes it to bench/results/events.json (``make bench-events``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.env import bench_environ_set  # noqa: E402 (after the path above)

bench_environ_set()
os.environ["WEBHOOKS_ALLOW_PRIVATE_HOSTS"] = "1"


class Receiver:
    """The integrator's endpoint: records (arrival time, body) of every correctly signed delivery."""

    def __init__(self) -> None:
        self.secret = ""
        self.arrivals: list[tuple[float, dict]] = []
        self.bad_signatures = 0
        self.lock = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                from inventory_app.services.events.signing import webhook_signature_verify

                valid = webhook_signature_verify(
                    secret=receiver.secret,
                    msg_id=self.headers["Webhook-Id"],
                    timestamp=int(self.headers["Webhook-Timestamp"]),
                    body=raw,
                    header=self.headers["Webhook-Signature"],
                )
                with receiver.lock:
                    if valid:
                        receiver.arrivals.append((time.monotonic(), json.loads(raw)))
                    else:
                        receiver.bad_signatures += 1
                    receiver.lock.notify_all()
                self.send_response(204 if valid else 401)
                self.end_headers()

            def log_message(self, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def wait(self, predicate, timeout: float, what: str) -> None:
        with self.lock:
            if not self.lock.wait_for(lambda: predicate(self.arrivals), timeout=timeout):
                sys.exit(f"timed out waiting for {what}")


def _setup(*, skus: int):
    import django

    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("bench_events needs PostgreSQL and Redis: run it under config.devservices --redis")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from inventory_app.models import SKU, Location, Product
    from inventory_app.services.events.publish import events_publish
    from inventory_app.services.ledger import StockChange, stock_apply

    location = Location.objects.create(code="BENCH", name="Bench", is_sellable=True)
    product = Product.objects.create(name="Bench")
    SKU.objects.bulk_create([SKU(product=product, code=f"E{i:06d}", name=f"E{i}") for i in range(skus)])
    ids = list(SKU.objects.order_by("code").values_list("pk", flat=True))
    stock_apply(
        changes=[StockChange(sku_id=i, location_id=location.pk, on_hand_delta=100_000) for i in ids],
        reason="receipt",
    )
    events_publish()  # the set-up's events, before any endpoint exists
    return location, ids


def _start_workers(*, count: int, concurrency: int) -> list[subprocess.Popen]:
    bin_dir = Path(sys.executable).parent
    return [
        subprocess.Popen(
            [str(bin_dir / "celery"), "-A", "config", "worker", "-c", str(concurrency),
             "-n", f"events{n}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-l", "WARNING"],
            cwd=ROOT, env={**os.environ},
        )
        for n in range(count)
    ]  # fmt: skip


def _change(*, sku_ids: list[int], location_id: int) -> float:
    """One adjustment of each of ``sku_ids`` in one operation; the monotonic time of its commit."""
    from inventory_app.services.ledger import StockChange, stock_apply

    stock_apply(
        changes=[StockChange(sku_id=i, location_id=location_id, on_hand_delta=-1) for i in sku_ids],
        reason="adjustment",
    )
    return time.monotonic()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--latency-changes", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--burst-changes", type=int, default=2000)
    parser.add_argument("--celery-workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    location, ids = _setup(skus=max(args.skus, args.latency_changes))
    from inventory_app.services.events.endpoints import webhook_endpoint_create

    receiver = Receiver()
    _, receiver.secret = webhook_endpoint_create(url=receiver.url, event_types=["availability.changed"])
    workers = _start_workers(count=args.celery_workers, concurrency=args.concurrency)
    try:
        # Warm-up: the workers are up once a first event has gone through.
        _change(sku_ids=[ids[-1]], location_id=location.pk)
        receiver.wait(lambda a: len(a) >= 1, 300, "the workers to start")
        skip = len(receiver.arrivals)

        # Phase 1: lag at a steady rate, one SKU per change.
        committed: dict[int, float] = {}
        interval, next_at = 1.0 / args.rate, time.monotonic()
        for index in range(args.latency_changes):
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += interval
            committed[ids[index]] = _change(sku_ids=[ids[index]], location_id=location.pk)
        receiver.wait(lambda a: len(a) >= skip + args.latency_changes, 120, "every lag-phase event")
        arrived = {body["data"]["sku_id"]: at for at, body in receiver.arrivals[skip:]}
        lags = sorted((arrived[sku] - at) * 1000 for sku, at in committed.items())

        # Phase 2: throughput.
        skip = len(receiver.arrivals)
        started = time.monotonic()
        burst = [ids[n % len(ids)] for n in range(args.burst_changes)]
        for start in range(0, len(burst), args.batch):
            _change(sku_ids=burst[start : start + args.batch], location_id=location.pk)
        made = time.monotonic()
        receiver.wait(lambda a: len(a) >= skip + args.burst_changes, 600, "every burst event")
        last = receiver.arrivals[-1][0]

        def pct(q: float) -> float:
            return round(lags[min(len(lags) - 1, int(q * len(lags)))], 1)

        result = json.dumps(
            {
                "skus": len(ids),
                "celery_workers": args.celery_workers,
                "concurrency": args.concurrency,
                "lag_changes": args.latency_changes,
                "rate_per_s": args.rate,
                "change_to_webhook_ms": {"p50": pct(0.5), "p99": pct(0.99), "max": round(lags[-1], 1),
                                         "mean": round(statistics.mean(lags), 1)},
                "burst_changes": args.burst_changes,
                "batch": args.batch,
                "burst_committed_s": round(made - started, 2),
                "events_delivered_per_s": round(args.burst_changes / (last - started), 1),
                "bad_signatures": receiver.bad_signatures,
                "load_average_1min": os.getloadavg()[0],
            },
            indent=1,
        )  # fmt: skip
        print(result)
        out = ROOT / "bench" / "results" / "events.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(result + "\n")
    finally:
        for proc in workers:
            proc.terminate()
        for proc in workers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        receiver.server.shutdown()


if __name__ == "__main__":
    main()
