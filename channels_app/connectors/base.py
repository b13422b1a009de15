"""The connector interface: what the sync engine needs from any channel, and the DTOs it speaks.

A connector is a plain class registered under a ``kind`` (``connectors.registry``). The engine
builds one per use from an :class:`AccountConfig` (decrypted credentials, base URL, options), a
:class:`~channels_app.connectors.http.ChannelHttp` that is already restricted to the account's
host, and a :data:`Throttle`. Connectors never touch the database nor the limiter's storage: the
engine owns the shared rate limiter, retries and persistence.

Rate limits. ``rate_limit`` is the account-wide bucket the engine takes a token of before each
hook call it makes (a push batch, a poll page, a read). A channel whose operations have limits of
their own declares them in ``rate_limits`` (operation name -> :class:`RateLimit`) and calls
``self.throttle(operation)`` before each such request: the engine's throttle takes one token of
the shared bucket ``channel-account:{id}:{operation}`` (Redis or the database, so every worker
process and machine counts against it), waits at most ``max_wait`` seconds, and otherwise raises
:class:`RetryableError` with ``retry_after`` = the time one token takes. A connector may pass a
lower ``per_second`` than declared (a rate the channel announced in an answer), never a higher one.

Each hook documents what it may raise:

* :class:`RetryableError` (429, 5xx, timeouts; ``retry_after`` seconds if the channel said) - the
  engine retries later with backoff;
* :class:`ConnectorError` - a permanent failure for that call (bad request, auth); the engine
  records it on the account or listing and retries only on the next schedule.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol

from channels_app.connectors.http import ChannelHttp

if TYPE_CHECKING:
    from channels_app.connectors.tokens import StoredToken


class ConnectorError(Exception):
    """A channel call failed permanently (4xx, unexpected answer). Message is safe to log.

    Raised by :class:`~channels_app.connectors.http.ChannelHttp` for an HTTP answer, it carries
    the answer's ``status``, a safe subset of its ``headers`` (``http.SAFE_HEADERS``, lower-case
    names) and the first ``http.BODY_KEEP`` characters of its ``body`` with known secrets
    scrubbed. ``status`` is None for timeouts, connection errors and refused hosts.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        body: str = "",
    ):
        super().__init__(message)
        self.status = status
        self.headers: dict[str, str] = dict(headers or {})
        self.body = body


class RetryableError(ConnectorError):
    """A channel call failed transiently (429, 5xx, timeout); ``retry_after`` in seconds if known."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        body: str = "",
    ):
        super().__init__(message, status=status, headers=headers, body=body)
        self.retry_after = retry_after


class WebhookSignatureError(ConnectorError):
    """A webhook's signature is missing or wrong: reject it, store nothing."""


class WebhookPayloadError(ConnectorError):
    """A webhook's body is not what the connector expects (malformed JSON...)."""


@dataclass(frozen=True)
class RateLimit:
    """Sustained requests per second and burst size the channel allows for one account."""

    per_second: float
    burst: int = 1


class Throttle(Protocol):
    """What the engine hands a connector to stay inside its per-operation limits (see above)."""

    def __call__(
        self, operation: str, *, per_second: float | None = None, max_wait: float | None = None
    ) -> None:
        """Take one token of ``operation``'s shared bucket; RetryableError past ``max_wait``."""


class _NoThrottle:
    """The throttle of a connector built without the engine (pure unit use): never waits."""

    def __call__(
        self, operation: str, *, per_second: float | None = None, max_wait: float | None = None
    ) -> None:
        return None


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
    the last hour), for connectors that must choose what to send first within a quota.
    """

    listing: ListingRef
    quantity: int
    expected: int | None
    idempotency_key: str
    demand_per_hour: float = 0.0

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


EventKind = Literal["order", "listing", "ignored"]


@dataclass(frozen=True)
class WebhookEvent:
    """A verified, parsed webhook delivery. ``order`` is set for order events."""

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


class Connector(ABC):
    """Base class of every channel connector. Subclasses are registered with ``@connector_register``.

    Class attributes declare the channel's constraints (instances may refine them from options):
    ``batch_max`` items per quantity push, ``rate_limit`` per account, ``rate_limits`` per
    operation (used through ``self.throttle``), ``order_overlap_seconds``
    re-read at each poll to cover clock skew and late commits, and whether quantity pushes support
    ``supports_compare_and_set`` or ``supports_delta`` (the engine's resurrection guard holds
    increases when neither is true). ``secret_fields`` name the credentials that are secrets.
    ``ranks_by_demand``: the connector orders a push by ``QuantityUpdate.demand_per_hour``, so the
    engine computes it (one query per batch; left at 0 otherwise). ``stores_tokens``: the channel
    hands out expiring access tokens; the engine passes a ``tokens`` store shared by every worker
    process (``connectors.tokens``), else the connector gets none.
    """

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    batch_max: ClassVar[int] = 50
    rate_limit: ClassVar[RateLimit] = RateLimit(per_second=2.0, burst=1)
    rate_limits: ClassVar[Mapping[str, RateLimit]] = {}
    order_overlap_seconds: ClassVar[int] = 300
    supports_compare_and_set: ClassVar[bool] = False
    supports_delta: ClassVar[bool] = False
    restocks_on_cancel: ClassVar[bool] = True
    credential_fields: ClassVar[tuple[str, ...]] = ()
    secret_fields: ClassVar[tuple[str, ...]] = ()
    supports_pull_notifications: ClassVar[bool] = False
    ranks_by_demand: ClassVar[bool] = False
    stores_tokens: ClassVar[bool] = False

    def __init__(self, *, config: AccountConfig, http: ChannelHttp, throttle: Throttle | None = None):
        self.config = config
        self.http = http
        self.throttle: Throttle = throttle if throttle is not None else _NoThrottle()

    @classmethod
    def credentials_problems(
        cls, *, credentials: Mapping[str, str], options: Mapping[str, object]
    ) -> list[str]:
        """What is wrong with an account's credentials given its options (empty: nothing); the
        account services refuse credentials with problems. Default: nothing checked."""
        return []

    @classmethod
    def token_kind(cls, *, credentials: Mapping[str, str], options: Mapping[str, object]) -> str:
        """How an account with these settings authenticates: "static" (credentials used as they
        are), "stored" (expiring tokens kept in the engine's token store, ``stores_tokens``) or
        "connect" (stored, and granted through :meth:`connect_url`'s install flow)."""
        return "stored" if cls.stores_tokens else "static"

    def connect_url(self, *, redirect_uri: str, state: str) -> str | None:
        """Where staff's browser goes to grant the account access (an OAuth install flow), the
        channel redirecting back to ``redirect_uri`` with ``state``; None: no such flow here."""
        return None

    def connect_finish(self, *, params: Mapping[str, str], state: str) -> StoredToken:
        """Check the channel's redirect back (``params``, our ``state``) and exchange it for the
        account's first token. Raises ConnectorError saying what failed."""
        raise ConnectorError(f"{self.label or self.kind} has no connect flow")

    @abstractmethod
    def orders_fetch_changed(self, *, since: datetime | None, cursor: str | None) -> OrderPage:
        """Orders created or changed at or after ``since`` (None: all open); one page per call.

        Pass the returned ``next_cursor`` back to get the next page. Raises Retryable/ConnectorError.
        Safe to retry.
        """

    @abstractmethod
    def listings_fetch(self, *, cursor: str | None) -> ListingPage:
        """One page of the channel's listings, for linking. Safe to retry."""

    @abstractmethod
    def quantities_fetch(self, *, listings: Sequence[ListingRef]) -> dict[str, int]:
        """Live quantities of up to ``batch_max`` listings, by external id (missing: unknown)."""

    @abstractmethod
    def quantities_push(self, *, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        """Push up to ``batch_max`` quantities; one result per update, in any order.

        Raises RetryableError when the whole call failed transiently (nothing known applied),
        ConnectorError when it failed permanently. Safe to retry with the same idempotency keys.
        """

    @abstractmethod
    def fulfilment_push(self, *, fulfilment: FulfilmentDTO) -> None:
        """Report shipped lines with tracking to the channel. Raises Retryable/ConnectorError."""

    # The order cancellation a seller makes here: connectors whose channel's API cancels an order
    # set ``cancels_orders`` and implement ``order_cancel_push``; the others say in
    # ``cancel_instructions`` (format fields: ``ref``, ``channel``) what the seller must do there.
    cancels_orders: ClassVar[bool] = False
    cancel_instructions: ClassVar[str] = (
        "{channel} cannot be told of a cancellation through its API: cancel order {ref} on {channel}"
        " yourself."
    )

    def order_cancel_push(self, *, order_external_id: str, reason: str) -> None:
        """Cancel the order on the channel (refunding the buyer). Raises Retryable/ConnectorError;
        an order the channel already shows cancelled is not an error."""
        raise ConnectorError(f"{self.label or self.kind} cannot cancel orders through its API")

    @abstractmethod
    def webhook_verify(self, *, headers: Mapping[str, str], body: bytes) -> None:
        """Check the delivery's signature over the raw body, in constant time.

        Raises WebhookSignatureError if it does not verify. Called before anything is parsed or stored.
        """

    @abstractmethod
    def webhook_parse(self, *, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Parse a verified delivery. Raises WebhookPayloadError on a malformed body."""

    def webhooks_register(self, *, url: str) -> None:
        """Subscribe the channel's webhooks to ``url`` (optional; default: nothing to do).

        A connector whose channel has a webhook API overrides this; it must be safe to call again
        (subscriptions already pointing at ``url`` are kept, not duplicated).
        """
        return None

    @classmethod
    def webhooks_registrable(cls) -> bool:
        """True when the connector overrides :meth:`webhooks_register` (its channel has a webhook API)."""
        return cls.webhooks_register is not Connector.webhooks_register

    # ------------------------------------------------------------------ pull notifications
    # A channel that delivers its events to a queue the engine reads (Amazon: SQS) instead of
    # calling our webhooks sets ``supports_pull_notifications`` and implements the three hooks
    # below. The engine (``services.notifications``) keeps one consumer per configured account:
    # it pulls, stores each event once by ``event_id``, commits, then acknowledges what it stored;
    # a delivery not acknowledged (the worker died) comes back and is recognised by its event id.

    @classmethod
    def notifications_configured(cls, *, options: Mapping[str, object]) -> bool:
        """True when an account with these ``options`` has a queue to pull from (default: the
        class supports pull notifications). Decides whether the engine runs a consumer."""
        return cls.supports_pull_notifications

    def notifications_pull(self, *, wait_seconds: float) -> list[PulledEvent]:
        """Wait up to ``wait_seconds`` for events and return those received (maybe none).

        Each is returned with its ``ack`` token, malformed ones with ``error`` set. Not
        acknowledged: the channel delivers them again later. Raises Retryable/ConnectorError.
        Default: the connector has no pull notifications (NotImplementedError).
        """
        raise NotImplementedError(f"{self.kind or type(self).__name__} has no pull notifications")

    def notifications_ack(self, *, acks: Sequence[str]) -> None:
        """Acknowledge (delete) the deliveries of these ``ack`` tokens once they are stored.

        A token that fails to acknowledge is only logged: its event comes back and is stored
        once. Raises Retryable/ConnectorError when the whole call failed.
        """
        raise NotImplementedError(f"{self.kind or type(self).__name__} has no pull notifications")
