"""The fake Amazon Selling Partner API as a rush channel.

Amazon has no HTTP webhooks: its ORDER_CHANGE notifications go to an SQS queue. The rush's
account reads a fake SQS queue (``config.sandbox.amazon.sqs``, in this process, on the fake's clock)
to which the fake SP-API publishes every order status change, so Amazon orders reach the engine
within about a second (the account's consumer task long-polls the queue). The order poll stays
as the safety net: celery beat runs ``account_orders_sync_task`` every ``poll_seconds``
(``poll_interval_seconds``), which calls getOrders (usage plan 0.0167/s, burst 20) and
getOrderItems (0.5/s, burst 30) for every order on the page. ``notifications=False`` gives the
poll-only account of earlier runs. Quantities go out by patchListingsItem (5/s, burst 5), the most
urgent first, or, for pushes of more than ``feed_min`` listings (the first push), by
JSON_LISTINGS_FEED. The fake
enforces the usage plans (429 QuotaExceeded); the engine's shared limiter keeps the connector
inside them.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from bench.rush.adapters import _import_listings
from bench.rush.catalog import Item
from bench.rush.channels import ChannelBase, Deliverer, Sale, WebhookFaults

# The fake's feed lifecycle (fake-clock seconds, the clock following real time): shorter than its
# defaults (30 s queued + 60 s processing) so that the first push of every listing, which goes by
# feed, does not take minutes; the account checks a feed again after FEED_POLL_SECONDS.
FEED_QUEUE_SECONDS = 2.0
FEED_PROCESSING_SECONDS = 3.0
FEED_POLL_SECONDS = 5.0
# The listings report of the import (past searchListingsItems' 1,000 SKUs): ready in 3 s, not the
# fake's default 40 s; the import checks it every REPORT_POLL_SECONDS.
REPORT_QUEUE_SECONDS = 1.0
REPORT_PROCESSING_SECONDS = 2.0
REPORT_POLL_SECONDS = 1.0


class AmazonChannel(ChannelBase):
    """The fake Amazon seller account; its orders come by ORDER_CHANGE on a fake SQS queue
    (``notifications``) and by the engine's poll."""

    kind = "amazon"

    def __init__(
        self, name: str, *, poll_seconds: int = 10, max_wait: float | None = None, notifications: bool = True
    ) -> None:
        super().__init__(name=name)
        from config.sandbox.amazon import FakeAmazon, FakeClock, FakeConfig
        from config.sandbox.amazon.sqs import FakeSqs

        config = FakeConfig(
            feed_queue_seconds=FEED_QUEUE_SECONDS,
            feed_processing_seconds=FEED_PROCESSING_SECONDS,
            report_queue_seconds=REPORT_QUEUE_SECONDS,
            report_processing_seconds=REPORT_PROCESSING_SECONDS,
        )
        self.fake = FakeAmazon(config=config, clock=FakeClock(start=datetime.now(UTC), frozen=False)).start()
        self.sqs = FakeSqs(now=self.fake.clock.now).start() if notifications else None
        self.sold_at: dict[str, float] = {}  # Amazon order id -> when the buyer placed it
        if self.sqs is not None:
            self.fake.notifications_attach(self.sqs)
        self.poll_seconds = poll_seconds
        self.max_wait = max_wait  # the account's throttle_max_wait (None: the connector's 30 s)

    def setup(self, *, items: list[Item], location_ids: list[int]) -> None:
        from channels_app.intake.polling import account_orders_sync
        from channels_app.services.accounts import account_create
        from channels_app.tasks import account_notifications_pull_task

        for item in items:
            self.fake.seed_listing(item.code, 0)
        creds = self.fake.credentials()
        wait = {} if self.max_wait is None else {"throttle_max_wait": self.max_wait}
        queue = self.sqs.credentials() if self.sqs is not None else {}
        self.account = account_create(
            kind="amazon",
            name=self.name,
            base_url=creds["endpoint"],
            credentials={**{k: creds[k] for k in ("client_id", "client_secret", "refresh_token")},
                         **{k: v for k, v in queue.items() if k.startswith("aws_")}},
            options={"seller_id": creds["seller_id"], "marketplace_ids": creds["marketplace_ids"],
                     "lwa_url": creds["lwa_url"], "orders_page_size": 100,
                     "feed_poll_seconds": FEED_POLL_SECONDS,
                     "report_poll_seconds": REPORT_POLL_SECONDS, **wait,
                     **({"sqs_queue_url": queue["sqs_queue_url"]} if queue else {})},
            location_ids=location_ids,
            poll_interval_seconds=self.poll_seconds,
        )  # fmt: skip
        _import_listings(self.account)
        self.unimported = self._listings_complete(items)
        # One poll now: without compare-and-set, the engine holds increases (the first push from
        # 0) until the orders are caught up; beat's polls take over once the system runs.
        account_orders_sync(account_id=self.account.pk)
        if self.sqs is not None:  # the consumer starts with the workers (beat: within a minute)
            account_notifications_pull_task.delay(self.account.pk)

    def _listings_complete(self, items: list[Item]) -> int:
        """How many items the import left out (0 expected); the rush no longer stores any.

        searchListingsItems pages through at most 1,000 SKUs (Amazon's documented limit, which the
        fake enforces); past that the engine's import reads the GET_MERCHANT_LISTINGS_ALL_DATA
        report (``channels_app.connectors.amazon.reports``), so every item is imported. The count
        stays in the results (``listings_stored_by_rush``) as a check."""
        from channels_app.models import Listing

        known = set(Listing.objects.filter(account=self.account).values_list("external_id", flat=True))
        return sum(1 for item in items if item.code not in known)

    def webhooks_start(self, *, base_url: str, deliverer: Deliverer, faults: WebhookFaults, rng) -> None:
        """Nothing to register: Amazon sends no HTTP webhooks (the webhook faults do not apply)."""
        self.rng = rng

    def shows(self, item: Item) -> int:
        # Read directly (no tick(): it walks every order and listing; updates apply at once here).
        with self.fake.state.lock:
            return self.fake.state.listings[item.code].quantity or 0

    def buy(self, item: Item, qty: int) -> Sale | None:
        from config.sandbox.amazon import OutOfStock

        try:
            with self.fake.state.lock:
                if self.shows(item) < qty:
                    return None
                order = self.fake.place_order(item.code, qty)
        except OutOfStock:
            return None
        sale = Sale(channel=self.name, order_id=order.amazon_order_id, at=time.time(), item=item, qty=qty)
        self.sold_at[order.amazon_order_id] = sale.at
        return sale

    def intake_latency(self) -> dict:
        """Seconds from each Amazon sale to its order in our database (the order row's
        created_at): p50, p99, max and the number of samples - the intake alone, by
        notification or poll, without the pushes to the other channels."""
        from bench.rush.run import _pct
        from inventory_app.models import Order

        created = dict(
            Order.objects.filter(
                channel=self.account.sales_channel, external_ref__in=list(self.sold_at)
            ).values_list("external_ref", "created_at")
        )
        waits = [created[ref].timestamp() - at for ref, at in self.sold_at.items() if ref in created]
        return {"p50": _pct(waits, 0.5), "p99": _pct(waits, 0.99), "max": _pct(waits, 1.0),
                "samples": len(waits)}  # fmt: skip

    def vendor_fault(self, kind: str) -> None:
        faults = self.fake.faults
        if kind == "429":
            faults.fail("*", status=429)
        elif kind == "5xx":
            faults.fail("*", status=503)
        elif kind == "slow":
            faults.latency = 1.5
        elif kind == "fast":
            faults.latency = 0.0
            return
        self.inject(f"vendor_{kind}")

    def _vendor_faults_drop(self) -> int:
        return self.fake.faults.clear()

    def api_calls(self) -> dict:
        stats = self.fake.stats
        with stats.lock:
            calls = sum(stats.requests.values())
            limited = sum(n for (_, status), n in stats.statuses.items() if status == 429)
            plan = sum(stats.throttled.values())
            by_op = {
                op: {"calls": n, "rate_limited": stats.statuses.get((op, 429), 0)}
                for op, n in sorted(stats.requests.items())
            }
        if self.sqs is not None:  # SQS requests: not SP-API calls, listed apart
            for action, n in sorted(dict(self.sqs.stats.requests).items()):
                by_op[f"sqs:{action}"] = {"calls": n, "rate_limited": 0}
        return {"calls": calls, "rate_limited": limited, "usage_plan_429": plan, "by_operation": by_op}

    def pushes_timeline(self, *, start: float, step: float) -> list[int] | None:
        """patchListingsItem calls per ``step`` seconds from ``start`` (429s included)."""
        with self.fake._log_lock:
            times = [r["at"] for r in self.fake.requests if r["operation"] == "patchListingsItem"]
        counts: list[int] = []
        for at in times:
            if at >= start:
                index = int((at - start) // step)
                counts.extend([0] * (index + 1 - len(counts)))
                counts[index] += 1
        return counts

    def order_ids(self) -> list[str]:
        with self.fake.state.lock:
            return list(self.fake.state.orders)

    def stop(self) -> None:
        if self.sqs is not None:
            self.sqs.stop()
        self.fake.stop()
