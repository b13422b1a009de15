"""Run one demo fake store in the foreground: ``python -m channels_app.demo.fakes shopify --port N``.

The fakes are the sandbox's vendor servers (``config/sandbox/shopify``, ``config/sandbox/amazon``),
seeded with the demo catalog's SKUs at quantity 0: the sync engine publishes the real figures
once ``demo_setup`` has linked them. The fake Amazon also runs a fake SQS queue (``--sqs-port``)
and delivers its ORDER_CHANGE notifications there, as Amazon does to a seller's queue, so an
Amazon sale reaches us within seconds instead of at the next order poll. ``config.runall``
supervises these processes when DEMO is on; SIGTERM or SIGINT stops them. Prints one JSON line
with the URL (and the Amazon queue's) once it listens.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from datetime import UTC, datetime
from typing import Any

from channels_app.demo.catalog import AMAZON, DEMO_ITEMS, DEMO_KIT, SHOPIFY_CLIENT_ID, SHOPIFY_SECRET


def shopify_start(*, host: str, port: int, validate: bool) -> Any:
    """A started fake Shopify shop with one location and the demo SKUs (one product each); its
    app is a Dev Dashboard app (client credentials), no legacy token."""
    from config.sandbox.shopify.server import FakeShopify

    fake = FakeShopify(
        access_token=None,
        client_id=SHOPIFY_CLIENT_ID,
        client_secret=SHOPIFY_SECRET,
        shop_domain="demo-linens.myshopify.com",
        validate_with_specs=validate,
        host=host,
        port=port,
    )
    fake.state.add_location("Demo shop")
    for item in (*DEMO_ITEMS, DEMO_KIT):
        fake.state.add_product(item.name, [{"sku": item.code, "price": "25.00"}])
    return fake.start()


def amazon_start(*, host: str, port: int, pending_seconds: float) -> Any:
    """A started fake Amazon seller account (real-time clock) with the demo SKUs seller-fulfilled."""
    from config.sandbox.amazon import FakeAmazon, FakeClock, FakeConfig

    config = FakeConfig(
        seller_id=AMAZON["seller_id"],
        marketplace_ids=(AMAZON["marketplace_id"],),
        client_id=AMAZON["client_id"],
        client_secret=AMAZON["client_secret"],
        refresh_token=AMAZON["refresh_token"],
        pending_seconds=pending_seconds,
        feed_queue_seconds=2,
        feed_processing_seconds=3,
    )
    # Real time from now: our poll asks for orders updated since a moment of the real clock.
    clock = FakeClock(start=datetime.now(UTC), frozen=False)
    fake = FakeAmazon(config=config, clock=clock, host=host, port=port)
    for item in (*DEMO_ITEMS, DEMO_KIT):
        fake.seed_listing(item.code, 0, item_name=item.name)
    return fake.start()


def amazon_sqs_start(*, amazon: Any, port: int) -> Any:
    """A started fake SQS queue (the demo's credentials, on ``amazon``'s clock) that ``amazon``
    publishes its ORDER_CHANGE notifications to."""
    from config.sandbox.amazon.sqs import FakeSqs

    sqs = FakeSqs(
        access_key_id=AMAZON["aws_access_key_id"],
        secret_access_key=AMAZON["aws_secret_access_key"],
        region=AMAZON["aws_region"],
        queue_name=AMAZON["sqs_queue_name"],
        now=amazon.clock.now,
        port=port,
    ).start()
    amazon.notifications_attach(sqs)
    return sqs


def sqs_queue_url(*, port: int) -> str:
    """The URL of the demo's fake SQS queue on ``port`` (as the fake writes it)."""
    from config.sandbox.amazon.sqs import ACCOUNT

    return f"http://127.0.0.1:{port}/{ACCOUNT}/{AMAZON['sqs_queue_name']}"


def main(argv: list[str] | None = None) -> int:
    """Start the chosen fake and serve until SIGTERM/SIGINT."""
    from channels_app.demo.stores import demo_stores_all

    extra = demo_stores_all()
    parser = argparse.ArgumentParser(description="A demo fake store on 127.0.0.1")
    parser.add_argument("store", choices=("shopify", "amazon", *extra))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--validate", action="store_true", help="Shopify: check requests against the schema")
    parser.add_argument("--pending-seconds", type=float, default=60.0, help="Amazon: Pending -> Unshipped")
    parser.add_argument("--sqs-port", type=int, default=0, help="Amazon: its ORDER_CHANGE queue's port")
    args = parser.parse_args(argv)
    sqs = None
    if args.store == "shopify":
        fake = shopify_start(host=args.host, port=args.port, validate=args.validate)
        url = fake.url
    elif args.store == "amazon":
        fake = amazon_start(host=args.host, port=args.port, pending_seconds=args.pending_seconds)
        sqs = amazon_sqs_start(amazon=fake, port=args.sqs_port)
        url = fake.base_url
    else:
        fake, url = extra[args.store].start(host=args.host, port=args.port)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    more = {"sqs_queue_url": sqs.queue_url} if sqs is not None else {}
    print(json.dumps({"store": args.store, "url": url, **more}), flush=True)
    stop.wait()
    fake.stop()
    if sqs is not None:
        sqs.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
