"""The connector interface: a small required base and the capabilities a channel may have.

A connector is a plain class registered under a ``kind`` (``connectors.registry``). The engine
builds one per use from an :class:`~channels_app.connectors.dto.AccountConfig` (decrypted
credentials, base URL, options), a :class:`~channels_app.connectors.http.ChannelHttp` that is
already restricted to the account's host, and a :data:`Throttle`. Connectors never touch the
database nor the limiter's storage: the engine owns the shared rate limiter, retries and
persistence. Values cross the boundary as the dataclasses of ``connectors.dto``; hooks raise the
exceptions of ``connectors.errors`` (:class:`RetryableError`: the engine retries later with
backoff; :class:`ConnectorError`: permanent for that call, recorded for staff).

Every connector subclasses :class:`Connector` (import listings, fetch changed orders, read and
push quantities in its declared ``quantity_mode``) and mixes in only the capabilities its channel
has:

* :class:`ReceivesWebhooks` - verify and parse the channel's HTTP webhook deliveries;
* :class:`RegistersWebhooks` - subscribe those webhooks through the channel's API;
* :class:`PullsNotifications` - read events from a queue (Amazon: SQS) instead of webhooks;
* :class:`ConfirmsFulfilment` - report shipped lines with tracking;
* :class:`CancelsOrders` - cancel an order on the channel (the others give ``cancel_instructions``);
* :class:`RanksByDemand` - order a push by ``QuantityUpdate.demand_per_hour``;
* :class:`SpendsDailyBudget` - a daily call budget, reported to staff (``budget_text``);
* :class:`StoresTokens` / :class:`ConnectsByRedirect` - expiring tokens in the engine's store,
  granted through an install (OAuth) flow for the latter.

The engine asks ``isinstance(connector, Capability)`` (``issubclass`` on a class) before it
calls a capability's hook and never calls a hook a connector lacks; :func:`capabilities_of`
lists them by name (admin, docs). There are no refusing stubs: a hook exists only on a connector
that serves it.

Rate limits. ``rate_limit`` is the account-wide bucket the engine takes a token of before each
hook call it makes (a push batch, a poll page, a read). A channel whose operations have limits of
their own declares them in ``rate_limits`` (operation name -> :class:`RateLimit`) and calls
``self.throttle(operation)`` before each such request: the engine's throttle takes one token of
the shared bucket ``channel-account:{id}:{operation}`` (Redis or the database, so every worker
process and machine counts against it), waits at most ``max_wait`` seconds, and otherwise raises
:class:`RetryableError` with ``retry_after`` = the time one token takes. A connector may pass a
lower ``per_second`` than declared (a rate the channel announced in an answer), never a higher one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol

from channels_app.connectors.dto import (
    AccountConfig,
    FulfilmentDTO,
    ListingPage,
    ListingRef,
    OrderDTO,
    OrderPage,
    PulledEvent,
    PushResult,
    QuantityUpdate,
    RateLimit,
    WebhookEvent,
)
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.options import Credential, Option

if TYPE_CHECKING:
    from channels_app.connectors.tokens import StoredToken

QuantityMode = Literal["set", "cas", "delta"]


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


class Connector(ABC):
    """The required base of every channel connector, registered with ``@connector_register``.

    Class attributes declare the channel's constraints (instances may refine them from options):
    ``batch_max`` items per quantity push, ``rate_limit`` per account, ``rate_limits`` per
    operation (used through ``self.throttle``), ``order_overlap_seconds`` re-read at each poll
    to cover clock skew and late commits, ``restocks_on_cancel`` (a cancelled order's units come
    back), and ``quantity_mode``: how pushes apply - ``"set"`` absolute values, ``"cas"``
    compare-and-set against ``QuantityUpdate.expected``, ``"delta"`` changes (the engine's
    resurrection guard holds increases of a ``"set"`` channel until its orders are taken in).
    ``options`` and ``credentials`` declare what an account of this kind takes
    (``connectors.options``); ``credential_fields`` and ``secret_fields`` derive from them.
    """

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    batch_max: ClassVar[int] = 50
    rate_limit: ClassVar[RateLimit] = RateLimit(per_second=2.0, burst=1)
    rate_limits: ClassVar[Mapping[str, RateLimit]] = {}
    order_overlap_seconds: ClassVar[int] = 300
    quantity_mode: ClassVar[QuantityMode] = "set"
    restocks_on_cancel: ClassVar[bool] = True
    # Listings a push sends per second at the declared limits (None: ``batch_max`` per
    # ``rate_limit`` token): the adaptive buffer's estimate of how long a queue of dirty listings takes.
    push_pace_per_second: ClassVar[float | None] = None
    # Seconds within which an absolute set we pushed is applied by the channel after it confirmed
    # it. A channel sale placed later than that was deducted from our figure, so the figure we
    # believe is exact and is not sent again; None: the channel does not say (always sent again).
    set_lands_within_seconds: ClassVar[float | None] = None
    options: ClassVar[Sequence[Option]] = ()
    credentials: ClassVar[Sequence[Credential]] = ()
    credential_fields: ClassVar[tuple[str, ...]] = ()
    secret_fields: ClassVar[tuple[str, ...]] = ()
    # What the seller must do on a channel without :class:`CancelsOrders` (fields ``ref``, ``channel``).
    cancel_instructions: ClassVar[str] = (
        "{channel} cannot be told of a cancellation through its API: cancel order {ref} on {channel}"
        " yourself."
    )

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.credential_fields = tuple(c.name for c in cls.credentials)
        cls.secret_fields = tuple(c.name for c in cls.credentials if c.secret)

    @classmethod
    def grant_expires_at(cls, *, options: Mapping[str, object]) -> datetime | None:
        """When the seller's authorisation of this account stops working though no token says
        so (Amazon: a public application's, 365 days after it was given); None: not known."""
        return None

    @classmethod
    def push_pace(cls) -> float:
        """Listings per second a push sends at the class's declared limits."""
        if cls.push_pace_per_second is not None:
            return float(cls.push_pace_per_second)
        return float(cls.rate_limit.per_second) * max(int(cls.batch_max), 1)

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
        are), "stored" (expiring tokens in the engine's store, :class:`StoresTokens`) or
        "connect" (stored, granted through :class:`ConnectsByRedirect`'s install flow)."""
        return "static"

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
        """Push up to ``batch_max`` quantities in ``quantity_mode``; one result per update, in
        any order. A ``"cas"`` connector refuses an item whose channel figure differs from
        ``expected`` (outcome ``stale``); a ``"delta"`` one applies ``update.delta``.

        Raises RetryableError when the whole call failed transiently (nothing known applied),
        ConnectorError when it failed permanently. Safe to retry with the same idempotency keys.
        """


class ReceivesWebhooks(ABC):
    """The channel calls our webhook route (``/channels/webhooks/<token>/``) with its events."""

    @abstractmethod
    def webhook_verify(self, *, headers: Mapping[str, str], body: bytes) -> None:
        """Check the delivery's signature over the raw body, in constant time.

        Raises WebhookSignatureError if it does not verify. Called before anything is parsed or stored.
        """

    @abstractmethod
    def webhook_parse(self, *, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Parse a verified delivery. Raises WebhookPayloadError on a malformed body."""


class FetchesWebhookOrders(ReceivesWebhooks):
    """The channel's deliveries are thin (BigCommerce): ``webhook_parse`` answers kind ``fetch``
    without calling the channel, the delivery is stored and answered at once, and a worker
    fetches the order with :meth:`webhook_order_fetch` (retried under the channel's quota)."""

    @abstractmethod
    def webhook_order_fetch(self, *, payload: Mapping[str, object]) -> OrderDTO | None:
        """The current snapshot of the order a stored ``fetch`` delivery names; None when there is
        nothing to apply (an incomplete order). Raises RetryableError (quota, outage) or
        ConnectorError (the order is gone)."""

    def webhook_order_key(self, *, payload: Mapping[str, object]) -> str | None:
        """The channel's id of the order a stored delivery names, so that deliveries of one
        order waiting together are answered by one fetch; None: fetch each on its own."""
        return None


class RegistersWebhooks(ReceivesWebhooks):
    """The channel has an API to subscribe its webhooks to our route."""

    @abstractmethod
    def webhooks_register(self, *, url: str) -> None:
        """Subscribe the channel's webhooks to ``url``. Safe to call again (subscriptions already
        pointing at ``url`` are kept, not duplicated). Raises Retryable/ConnectorError."""


class PullsNotifications(ABC):
    """The channel delivers its events to a queue the engine reads (Amazon: SQS).

    The engine (``services.notifications``) keeps one consumer per configured account: it pulls,
    stores each event once by ``event_id``, commits, then acknowledges what it stored; a delivery
    not acknowledged (the worker died) comes back and is recognised by its event id.
    """

    @classmethod
    def notifications_configured(cls, *, options: Mapping[str, object]) -> bool:
        """True when an account with these ``options`` has a queue to pull from (default: every
        account). Decides whether the engine runs a consumer."""
        return True

    @abstractmethod
    def notifications_pull(self, *, wait_seconds: float) -> list[PulledEvent]:
        """Wait up to ``wait_seconds`` for events and return those received (maybe none).

        Each is returned with its ``ack`` token, malformed ones with ``error`` set. Not
        acknowledged: the channel delivers them again later. Raises Retryable/ConnectorError.
        """

    @abstractmethod
    def notifications_ack(self, *, acks: Sequence[str]) -> None:
        """Acknowledge (delete) the deliveries of these ``ack`` tokens once they are stored.

        A token that fails to acknowledge is only logged: its event comes back and is stored
        once. Raises Retryable/ConnectorError when the whole call failed.
        """


class ConfirmsFulfilment(ABC):
    """The channel takes shipment confirmations (lines, carrier, tracking) through its API."""

    @abstractmethod
    def fulfilment_push(self, *, fulfilment: FulfilmentDTO) -> None:
        """Report shipped lines with tracking to the channel. Raises Retryable/ConnectorError; a
        retry of a report that already landed is not an error (``FulfilmentDTO`` says how)."""


class CancelsOrders(ABC):
    """The channel's API cancels an order (refunding the buyer)."""

    @abstractmethod
    def order_cancel_push(self, *, order_external_id: str, reason: str) -> None:
        """Cancel the order on the channel. Raises Retryable/ConnectorError; an order the
        channel already shows cancelled is not an error."""


class RanksByDemand:
    """The connector orders a push by ``QuantityUpdate.demand_per_hour`` (it must choose what to
    send first within a quota), so the engine computes that figure (one query per batch; left at
    0 for the others). No hook of its own."""


class SpendsDailyBudget:
    """The channel allows so many calls a day (Etsy): the connector spends them on the changes most
    at risk of an oversell first, and says how the day stands for staff (the account's admin page).
    """

    @classmethod
    def budget_text(cls, *, account_id: int) -> str:
        """Calls left today and what waits for calls, in one line."""
        raise NotImplementedError


class StoresTokens:
    """The channel hands out expiring access tokens: the engine builds the connector with a
    ``tokens`` store (``connectors.tokens.TokenStore``) shared by every worker process."""

    @classmethod
    def token_kind(cls, *, credentials: Mapping[str, str], options: Mapping[str, object]) -> str:
        """Default "stored" (see :meth:`Connector.token_kind`)."""
        return "stored"


class ConnectsByRedirect(StoresTokens, ABC):
    """The account's first token is granted through the channel's install (OAuth) flow."""

    @abstractmethod
    def connect_url(self, *, redirect_uri: str, state: str) -> str | None:
        """Where staff's browser goes to grant the account access, the channel redirecting back
        to ``redirect_uri`` with ``state``; None when this account's auth mode has no such flow."""

    @abstractmethod
    def connect_finish(self, *, params: Mapping[str, str], state: str) -> StoredToken:
        """Check the channel's redirect back (``params``, our ``state``) and exchange it for the
        account's first token. Raises ConnectorError saying what failed."""


CAPABILITIES: tuple[type, ...] = (
    ReceivesWebhooks,
    RegistersWebhooks,
    PullsNotifications,
    ConfirmsFulfilment,
    CancelsOrders,
    RanksByDemand,
    StoresTokens,
    ConnectsByRedirect,
    SpendsDailyBudget,
)


def capabilities_of(cls: type[Connector]) -> list[str]:
    """The names of the capabilities ``cls`` has, in :data:`CAPABILITIES` order."""
    return [capability.__name__ for capability in CAPABILITIES if issubclass(cls, capability)]
