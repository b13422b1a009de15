"""In-memory seller account of the fake Amazon: listings, orders, LWA tokens, configuration.

Everything is guarded by one re-entrant lock, and every read first calls `tick()`, which applies what
the fake clock says has happened meanwhile (payment authorised → Pending becomes Unshipped, delayed
listing updates land, feeds and reports progress IN_QUEUE → IN_PROGRESS → DONE).
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .clock import FakeClock
from .feeds import FeedStore
from .ratelimit import RateLimiter
from .reports import ReportStore

US_MARKETPLACE = "ATVPDKIKX0DER"  # amazon.com, as in every example of the models


class FakeAmazonError(Exception):
    """A simulated buyer or seeding action the fake marketplace refuses."""


class OutOfStock(FakeAmazonError):
    """The listing shows no (or not enough) quantity: Amazon would not let the buyer order."""


@dataclass
class FakeConfig:
    """Account identity, credentials and timings of the fake. All durations are fake-clock seconds."""

    seller_id: str = "A2FAKESELLER01"
    marketplace_ids: tuple[str, ...] = (US_MARKETPLACE,)
    client_id: str = "amzn1.application-oa2-client.fake"
    client_secret: str = "fake-client-secret"
    refresh_token: str = "Atzr|fake-refresh-token"
    access_token_ttl: int = 3600
    # Pending (payment not authorised) → Unshipped after this long.
    pending_seconds: float = 300.0
    # Listing PATCH / feed updates become visible this long after being ACCEPTED (0 = at once).
    listing_apply_delay: float = 0.0
    # Feed lifecycle.
    feed_queue_seconds: float = 30.0
    feed_processing_seconds: float = 60.0
    feed_report_gzip: bool = False
    # Report lifecycle (GET_MERCHANT_LISTINGS_ALL_DATA, reports.py); report_fatal ends it FATAL.
    report_queue_seconds: float = 10.0
    report_processing_seconds: float = 30.0
    report_document_gzip: bool = False
    report_fatal: bool = False
    # Presigned feed-document URLs expire after 5 minutes (FeedDocument.url in feeds_2021-06-30.json).
    document_url_ttl: float = 300.0
    order_items_page_size: int = 100
    currency: str = "USD"


@dataclass
class Listing:
    """One SKU's offer. `fulfillment_channel_code` "DEFAULT" = seller-fulfilled; others (e.g.
    "AMAZON_NA") = Amazon-fulfilled, whose quantity is Amazon's and cannot be set by the seller."""

    sku: str
    quantity: int | None
    fulfillment_channel_code: str = "DEFAULT"
    product_type: str = "PRODUCT"
    asin: str = ""
    item_name: str = ""
    price: str = "19.99"
    created: datetime | None = None
    last_updated: datetime | None = None
    # When set, every update of this SKU is refused with an ERROR issue carrying this message.
    reject_updates: str | None = None
    pending: list[tuple[datetime, int]] = field(default_factory=list)
    # Every accepted update (PATCH or feed message): {"at", "source", "channel", "quantity"}.
    updates: list[dict] = field(default_factory=list)

    @property
    def is_fba(self) -> bool:
        """True for Amazon-fulfilled listings."""
        return self.fulfillment_channel_code != "DEFAULT"


@dataclass
class OrderItem:
    """One line of an order."""

    order_item_id: str
    sku: str
    asin: str
    title: str
    quantity_ordered: int
    price: str
    quantity_shipped: int = 0


@dataclass
class Order:
    """A buyer's order as the Orders API v0 reports it."""

    amazon_order_id: str
    marketplace_id: str
    purchase_date: datetime
    last_update_date: datetime
    status: str
    items: list[OrderItem]
    fulfillment_channel: str = "MFN"
    pending_until: datetime | None = None
    restocked: bool = False
    shipments: list[dict] = field(default_factory=list)


class AmazonState:
    """The fake seller account. Public methods are what tests and the demo use to seed and inspect."""

    def __init__(self, config: FakeConfig | None = None, clock: FakeClock | None = None) -> None:
        self.config = config or FakeConfig()
        self.clock = clock or FakeClock()
        self.lock = threading.RLock()
        self.listings: dict[str, Listing] = {}
        self.orders: dict[str, Order] = {}
        self.access_tokens: dict[str, datetime] = {}
        self.rate_limiter = RateLimiter(self.clock)
        self.feeds = FeedStore(self)
        self.reports = ReportStore(self)
        self._ids = itertools.count(1)
        # NextToken -> pinned paging state, per operation.
        self.order_tokens: dict[str, tuple[tuple[str, str], list[str], int]] = {}
        self.item_tokens: dict[str, tuple[str, int]] = {}
        # An attached ORDER_CHANGE destination (notifications.Destination) and what it was sent.
        self.destination = None
        self.notifications: list[dict] = []

    def order_changed(self, order: Order, reason: str) -> None:
        """Publish ORDER_CHANGE of ``order``'s new state to the attached destination, if any."""
        if self.destination is None:
            return
        import json

        from .notifications import order_change

        body = order_change(
            order, seller_id=self.config.seller_id, subscription_id=self.destination.subscription_id,
            now=self.clock.now(), reason=reason, with_items=self.destination.with_items,
        )  # fmt: skip
        self.notifications.append(body)
        self.destination.send(json.dumps(body))

    # ----------------------------------------------------------------- time
    def tick(self) -> None:
        """Apply everything that the fake clock says has happened by now."""
        with self.lock:
            now = self.clock.now()
            for order in self.orders.values():
                if order.status == "Pending" and order.pending_until and now >= order.pending_until:
                    order.status = "Unshipped"
                    order.last_update_date = order.pending_until
                    order.pending_until = None
                    self.order_changed(order, "Payment authorized")
            for listing in self.listings.values():
                due = [p for p in listing.pending if p[0] <= now]
                if due:
                    listing.pending = [p for p in listing.pending if p[0] > now]
                    listing.quantity = due[-1][1]
                    listing.last_updated = due[-1][0]
            self.feeds.tick(now)
            self.reports.tick(now)

    def advance(self, seconds: float) -> None:
        """Move the fake clock forward and apply what happened meanwhile."""
        self.clock.advance(seconds)
        self.tick()

    # ----------------------------------------------------------------- LWA tokens
    def issue_access_token(self) -> str:
        """A new "Atza|" bearer token, live for `access_token_ttl` seconds."""
        token = "Atza|" + secrets.token_urlsafe(48)
        with self.lock:
            self.access_tokens[token] = self.clock.now() + timedelta(seconds=self.config.access_token_ttl)
        return token

    def token_status(self, token: str | None) -> str:
        """ "missing", "unknown", "expired" or "live"."""
        if not token:
            return "missing"
        with self.lock:
            expires = self.access_tokens.get(token)
        if expires is None:
            return "unknown"
        return "live" if self.clock.now() < expires else "expired"

    def expire_access_tokens(self) -> None:
        """Make every issued access token expired (as an hour passing would)."""
        with self.lock:
            past = self.clock.now() - timedelta(seconds=1)
            self.access_tokens = dict.fromkeys(self.access_tokens, past)

    def revoke_refresh_token(self) -> None:
        """The seller removed the app's authorisation: the refresh token no longer works."""
        with self.lock:
            self.config.refresh_token = "Atzr|revoked-" + secrets.token_hex(8)

    # ----------------------------------------------------------------- listings
    def seed_listing(
        self,
        sku: str,
        quantity: int | None,
        *,
        fulfillment_channel_code: str = "DEFAULT",
        product_type: str = "PRODUCT",
        item_name: str | None = None,
        price: str = "19.99",
        reject_updates: str | None = None,
    ) -> Listing:
        """Create or replace the listing of `sku`. FBA listings take `fulfillment_channel_code`
        such as "AMAZON_NA"; their quantity is Amazon's."""
        with self.lock:
            now = self.clock.now()
            listing = Listing(
                sku=sku,
                quantity=quantity,
                fulfillment_channel_code=fulfillment_channel_code,
                product_type=product_type,
                asin="B0" + hashlib.sha256(sku.encode()).hexdigest()[:8].upper(),
                item_name=item_name or f"Item {sku}",
                price=price,
                created=now,
                last_updated=now,
                reject_updates=reject_updates,
            )
            self.listings[sku] = listing
            return listing

    def listing(self, sku: str) -> Listing | None:
        """The listing of `sku` as of now, or None."""
        with self.lock:
            self.tick()
            return self.listings.get(sku)

    def quantity(self, sku: str) -> int | None:
        """The quantity the marketplace shows for `sku` right now (KeyError if unknown)."""
        with self.lock:
            self.tick()
            return self.listings[sku].quantity

    def set_listing_quantity(self, *, sku: str, quantity: int) -> None:
        """Record an accepted quantity update; it lands after `listing_apply_delay`."""
        with self.lock:
            listing = self.listings[sku]
            when = self.clock.now() + timedelta(seconds=self.config.listing_apply_delay)
            if self.config.listing_apply_delay <= 0:
                listing.quantity = quantity
                listing.last_updated = when
            else:
                listing.pending.append((when, quantity))

    # ----------------------------------------------------------------- orders
    def _new_order_id(self) -> str:
        n = next(self._ids)
        return f"{900 + n % 99:03d}-{1000000 + n:07d}-{secrets.randbelow(10**7):07d}"

    def _new_item_id(self) -> str:
        return f"{10**13 + next(self._ids) * 7919 % 10**13:014d}"

    def place_order(
        self,
        sku: str | None = None,
        qty: int = 1,
        *,
        lines: list[tuple[str, int]] | None = None,
        marketplace_id: str | None = None,
    ) -> Order:
        """A buyer orders: the listing quantity drops at once and a Pending order appears, which
        becomes Unshipped after `pending_seconds`. Refused (OutOfStock) when the listing does not show
        enough quantity, which is what a buyer would see on the product page."""
        wanted = lines or [(sku, qty)]
        with self.lock:
            self.tick()
            totals: dict[str, int] = {}
            for line_sku, line_qty in wanted:
                if line_qty < 1:
                    raise FakeAmazonError(f"quantity must be at least 1, not {line_qty}")
                if line_sku not in self.listings:
                    raise FakeAmazonError(f"no listing for SKU {line_sku!r}")
                totals[line_sku] = totals.get(line_sku, 0) + line_qty
            for line_sku, total in totals.items():
                shown = self.listings[line_sku].quantity or 0
                if shown < total:
                    raise OutOfStock(f"{line_sku}: {shown} available, {total} wanted")
            now = self.clock.now()
            items = []
            fba = False
            for line_sku, line_qty in wanted:
                listing = self.listings[line_sku]
                listing.quantity = (listing.quantity or 0) - line_qty
                listing.last_updated = now
                fba = fba or listing.is_fba
                items.append(
                    OrderItem(
                        order_item_id=self._new_item_id(),
                        sku=line_sku,
                        asin=listing.asin,
                        title=listing.item_name,
                        quantity_ordered=line_qty,
                        price=listing.price,
                    )
                )
            order = Order(
                amazon_order_id=self._new_order_id(),
                marketplace_id=marketplace_id or self.config.marketplace_ids[0],
                purchase_date=now,
                last_update_date=now,
                status="Pending",
                items=items,
                fulfillment_channel="AFN" if fba else "MFN",
                pending_until=now + timedelta(seconds=self.config.pending_seconds),
            )
            self.orders[order.amazon_order_id] = order
            self.order_changed(order, "Order placed")
            return order

    def cancel_order(self, order_id: str, *, restock: bool = True) -> Order:
        """The buyer (or Amazon) cancels an order that has not shipped; its units go back on the
        listing unless `restock` is False."""
        with self.lock:
            self.tick()
            order = self.orders[order_id]
            if order.status not in ("Pending", "Unshipped"):
                raise FakeAmazonError(f"cannot cancel an order that is {order.status}")
            order.status = "Canceled"
            order.pending_until = None
            order.last_update_date = self.clock.now()
            if restock:
                for item in order.items:
                    listing = self.listings.get(item.sku)
                    if listing is not None and not listing.is_fba:
                        listing.quantity = (listing.quantity or 0) + item.quantity_ordered
                order.restocked = True
            self.order_changed(order, "Order canceled")
            return order

    def order(self, order_id: str) -> Order:
        """The order `order_id` as of now (KeyError if unknown)."""
        with self.lock:
            self.tick()
            return self.orders[order_id]

    def touch_order(self, order: Order) -> None:
        """Bump LastUpdateDate, keeping it strictly increasing so pollers see the change."""
        now = self.clock.now()
        order.last_update_date = max(now, order.last_update_date + timedelta(microseconds=1))

    def refresh_order_status(self, order: Order) -> None:
        """Derive Unshipped / PartiallyShipped / Shipped from the shipped quantities."""
        shipped = sum(i.quantity_shipped for i in order.items)
        total = sum(i.quantity_ordered for i in order.items)
        if shipped == 0:
            return
        order.status = "Shipped" if shipped >= total else "PartiallyShipped"
