"""The typed values a connector and the engine exchange (frozen dataclasses, no model instances)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal


@dataclass(frozen=True)
class RateLimit:
    """Sustained requests per second and burst size the channel allows for one account."""

    per_second: float
    burst: int = 1


@dataclass(frozen=True)
class AccountConfig:
    """What a connector gets of its account: no model instance, only values."""

    account_id: int
    base_url: str
    credentials: Mapping[str, str]
    options: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderLineDTO:
    """One order line as the channel reports it. Quantities are cumulative totals."""

    external_line_id: str
    quantity: int
    sku_code: str = ""
    listing_external_id: str = ""
    title: str = ""
    unit_price: Decimal = Decimal("0")
    quantity_fulfilled: int = 0
    quantity_cancelled: int = 0


OrderState = Literal["open", "cancelled", "fulfilled"]


@dataclass(frozen=True)
class OrderDTO:
    """A full snapshot of a channel order (every event carries the whole order)."""

    external_id: str
    status: OrderState
    updated_at: datetime
    lines: Sequence[OrderLineDTO]
    created_at: datetime | None = None
    is_paid: bool = True
    currency: str = "USD"
    total: Decimal = Decimal("0")
    customer_name: str = ""
    customer_email: str = ""
    shipping_address: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderPage:
    """One page of changed orders; ``next_cursor`` None means the last page."""

    orders: Sequence[OrderDTO]
    next_cursor: str | None = None


@dataclass(frozen=True)
class ListingDTO:
    """A channel item that can be linked to a SKU."""

    external_id: str
    sku_code: str = ""
    title: str = ""
    quantity: int | None = None
    external_product_id: str = ""
    external_variant_id: str = ""
    external_inventory_item_id: str = ""
    external_offer_id: str = ""
    push_enabled: bool = True
    extra: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ListingPage:
    """One page of listings; ``next_cursor`` None means the last page."""

    listings: Sequence[ListingDTO]
    next_cursor: str | None = None


@dataclass(frozen=True)
class ListingRef:
    """The ids of one listing as stored by the engine (what a push or read addresses)."""

    external_id: str
    external_product_id: str = ""
    external_variant_id: str = ""
    external_inventory_item_id: str = ""
    external_offer_id: str = ""
    external_sku: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)
    push_submission: str = ""


@dataclass(frozen=True)
class QuantityUpdate:
    """Set ``listing`` to ``quantity``.

    ``expected`` is the quantity the engine believes the channel holds (last pushed or seen);
    connectors that support compare-and-set must refuse the write when it differs. ``delta`` is
    ``quantity - expected`` for connectors that apply deltas. ``idempotency_key`` is stable for a
    given (listing, outbox version) so a retried push is not applied twice. ``demand_per_hour``:
    units of the listing's SKU ordered per hour lately on every channel (the engine's figure over
    the last hour), for connectors that must choose what to send first within a quota;
    ``oversell_risk`` (for them too): the chance that what the channel shows now is oversold
    before this update lands (``channels_app.push.risk``, the adaptive buffer's model), the first
    key of their order.
    """

    listing: ListingRef
    quantity: int
    expected: int | None
    idempotency_key: str
    demand_per_hour: float = 0.0
    oversell_risk: float = 0.0

    @property
    def delta(self) -> int | None:
        """The change relative to ``expected`` (None if nothing is expected)."""
        return None if self.expected is None else self.quantity - self.expected


PushOutcome = Literal["ok", "stale", "retry", "error", "pending", "deferred"]


@dataclass(frozen=True)
class PushResult:
    """Outcome of one item of a quantity push.

    ``stale``: compare-and-set refused, ``observed`` is the channel's figure. ``retry``: transient,
    ``retry_after`` seconds if known. ``error``: permanent for this item (e.g. unknown listing).
    ``pending``: the channel took the update asynchronously (an Amazon feed) and has not
    processed it yet - neither a failure nor a backoff. ``submission_id`` is the connector's own
    token for it; the engine stores it on the listing (any worker sees it) and hands it back as
    ``ListingRef.push_submission`` on the next push, ``retry_after`` seconds later (or at once
    when the listing changes again), so the connector checks that submission instead of sending
    a second one. The listing stays dirty until an ``ok`` or ``error`` settles it.
    ``throttled`` (with ``retry``): the channel's rate limit, not the item, stopped it (a 429, or
    no token within the wait) - the engine waits ``retry_after`` without counting a failure.
    ``deferred``: not sent in this call so that more urgent items could use the channel's quota;
    the engine hands the item back in its next call, merged and sorted with newer changes (the
    connector paces its own calls within the quota; ``retry_after`` is the time the quota needs
    for what this call sent, which the engine waits only when a call sent nothing at all). Not
    a failure and not logged as a push attempt.
    """

    external_id: str
    outcome: PushOutcome
    observed: int | None = None
    error: str = ""
    retry_after: float | None = None
    submission_id: str = ""
    throttled: bool = False


@dataclass(frozen=True)
class FulfilmentDTO:
    """Lines of one order we shipped, with tracking, to report to the channel.

    ``idempotency_key`` is stable for one fulfilment request (its id on our side), so a report
    retried after a lost answer is recognised; connectors whose channel takes an idempotency key
    for fulfilments pass it on (the generic connector does; Shopify's fulfillmentCreate and
    Amazon's confirmShipment take none - their retries are checked against the channel's state).
    """

    order_external_id: str
    lines: Mapping[str, int]
    carrier: str = ""
    tracking_number: str = ""
    tracking_url: str = ""
    idempotency_key: str = ""
    # Units of each channel line our earlier fulfilments of this order already reported: a
    # connector whose channel keeps fulfilled counts treats this fulfilment as landed when the
    # channel already shows at least these plus ``lines`` fulfilled (a retry after a lost answer).
    reported_before: Mapping[str, int] = field(default_factory=dict)


EventKind = Literal["order", "listing", "ignored", "fetch"]


@dataclass(frozen=True)
class WebhookEvent:
    """A verified, parsed webhook delivery. ``order`` is set for order events; a ``fetch`` event
    is a thin delivery whose order a worker fetches later (``FetchesWebhookOrders``)."""

    event_id: str
    topic: str
    kind: EventKind
    payload: Mapping[str, object]
    order: OrderDTO | None = None


@dataclass(frozen=True)
class PulledEvent:
    """One notification a connector took from its channel's queue (see ``notifications_pull``).

    ``event_id`` names the channel's event (stable across redeliveries, so the engine stores it
    once); ``order`` is the order snapshot of an order event, None for an event the engine
    ignores; ``error`` (with ``order`` None) says why a message could not be read - the engine
    records it and acknowledges the message, so it is never redelivered forever. ``ack`` is the
    connector's token to acknowledge (delete) this delivery with ``notifications_ack``.
    """

    event_id: str
    topic: str
    payload: Mapping[str, object]
    ack: str
    order: OrderDTO | None = None
    error: str = ""
