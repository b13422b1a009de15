"""The Amazon Selling Partner API connector (kind ``amazon``), on the engine's interface.

Account fields. ``base_url``: the SP-API endpoint of the seller's region
(``endpoints.sp_api_base_url``: https://sellingpartnerapi-na.amazon.com, -eu, -fe, or the
``sandbox.`` hosts). Credentials (encrypted by the engine): ``client_id``, ``client_secret`` and
``refresh_token`` of the seller's authorisation. Options:

``seller_id`` (required)              the merchant token, used in Listings Items paths and feeds
``marketplace_ids`` (required)        list of marketplace ids sold in, e.g. ["ATVPDKIKX0DER"]
``region`` ("na") / ``sandbox`` (false)  must agree with ``base_url`` when it is an Amazon host;
                                      ``region`` picks the Login with Amazon endpoint
``lwa_url`` ("")                      an explicit LWA token URL (Amazon's or the account's host)
``patch_max`` (5)                     listings patched per push call (patchListingsItem; 5 is
                                      the plan's burst), the most at risk of an oversell first
                                      (``pushing.oversell_risk``); 0: feeds only
``feed_min`` (500)                    a push of more listings sends all but ``patch_max`` urgent
                                      ones by JSON_LISTINGS_FEED; a smaller one is all patched,
                                      ``patch_max`` per call (feeds take minutes)
``orders_page_size`` (20)             MaxResultsPerPage of getOrders (getOrderItems per order)
``initial_lookback_days`` (30)        the first poll reads open orders updated this far back
``throttle_max_wait`` (30)            seconds a call may wait for its operation's token
``feed_poll_seconds`` (60)            retry delay while a feed is being processed
``report_wait_seconds`` (30)          past 1,000 SKUs the import reads the GET_MERCHANT_LISTINGS_
                                      ALL_DATA report (``reports``): one listings_fetch call waits
                                      this long for it, checking every ``report_poll_seconds`` (5),
                                      then returns an empty page with the same cursor
``report_timeout_seconds`` (3600)     the import fails when the report takes longer in all
``sqs_queue_url`` ("")                the SQS queue ORDER_CHANGE notifications are delivered to
                                      (https://sqs.<region>.amazonaws.com/<account>/<name>); set,
                                      the engine reads it continuously (orders within a second),
                                      polling stays as the safety net. Needs the credentials
                                      ``aws_access_key_id``, ``aws_secret_access_key`` and
                                      ``aws_region`` of an IAM user allowed to receive and delete.
``sqs_visibility_timeout`` (30)       seconds a received message stays hidden before it is
                                      delivered again unless deleted: how long an order waits
                                      when its consumer died between receiving and deleting (a
                                      redelivery of a stored message stores nothing new)

Capabilities: no compare-and-set and no deltas (patchListingsItem and feeds set absolute
quantities), so the engine's resurrection guard holds increases until the orders are caught up.
Amazon-fulfilled (FBA) listings are imported with ``push_enabled=False`` and refused by
:meth:`AmazonConnector.quantities_push`; FBA orders are not polled (FulfillmentChannels=MFN).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.cache import cache as django_cache

from channels_app.connectors.amazon.client import AmazonApiError, LwaAuth, SpApiClient
from channels_app.connectors.amazon.declared import CREDENTIALS, OPTIONS
from channels_app.connectors.amazon.endpoints import (
    EndpointError,
    lwa_url_choose,
    region_of_host,
)
from channels_app.connectors.amazon.mapping import (
    listing_from_amazon,
    order_from_amazon,
    quantity_from_amazon,
)
from channels_app.connectors.amazon.notifications import AwsCredentials, SqsClient, message_event
from channels_app.connectors.amazon.pushing import QuantityPusher
from channels_app.connectors.amazon.reports import ListingsReader
from channels_app.connectors.amazon.shipping import confirm_shipment_body
from channels_app.connectors.amazon.throttle import UsagePlanThrottle, usage_plan_rate_limits
from channels_app.connectors.base import (
    ConfirmsFulfilment,
    Connector,
    PullsNotifications,
    RanksByDemand,
    Throttle,
)
from channels_app.connectors.dto import (
    AccountConfig,
    FulfilmentDTO,
    ListingDTO,
    ListingPage,
    ListingRef,
    OrderDTO,
    OrderPage,
    PulledEvent,
    PushResult,
    QuantityUpdate,
    RateLimit,
)
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.registry import connector_register

logger = logging.getLogger(__name__)

OPEN_STATUSES = "PendingAvailability,Pending,Unshipped,PartiallyShipped"
# OrderItems of an order version ("LastUpdateDate|OrderStatus|NumberOfItemsShipped") are kept in
# Django's cache (Redis: shared by every worker) for this long, so the overlap re-read of an
# unchanged order costs no getOrderItems call (0.5 a second is all Amazon allows).
ITEMS_CACHE_SECONDS = 6 * 3600
# Public applications: the seller re-authorises every 365 days (SP-API "Renew Authorizations").
AUTHORIZATION_LIFETIME = timedelta(days=365)


def _items_cache_get(key: str) -> list[dict] | None:
    try:
        return django_cache.get(key)
    except Exception:  # the cache is an optimisation: unreachable means a miss
        logger.warning("order items cache unavailable", exc_info=True)
        return None


def _items_cache_set(key: str, items: list[dict]) -> None:
    try:
        django_cache.set(key, items, ITEMS_CACHE_SECONDS)
    except Exception:
        logger.warning("order items cache unavailable", exc_info=True)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sku_path(sku: str) -> str:
    """A SKU as a path segment (percent-encoded, "/" included)."""
    return quote(sku, safe="")


@connector_register
class AmazonConnector(Connector, PullsNotifications, ConfirmsFulfilment, RanksByDemand):
    """Selling Partner API: orders by ORDER_CHANGE notifications (SQS) and polling, quantities
    by patch or feed (ranked by oversell risk, ``pushing.oversell_risk``), shipment
    confirmation. Amazon has no HTTP webhooks and no cancel operation for sellers."""

    kind = "amazon"
    label = "Amazon (Selling Partner API)"
    batch_max = 2000  # a full push of 10,000 SKUs is five feeds (see the package docstring)
    # The engine's per-account bucket; each SP-API operation has its own usage plan, declared
    # as ``rate_limits`` and taken through the engine's throttle (``throttle.UsagePlanThrottle``).
    rate_limit = RateLimit(per_second=5.0, burst=10)
    push_pace_per_second = 5.0  # patchListingsItem's rate; a feed carries more but lands in minutes
    # A patch is ACCEPTED then applied asynchronously; a feed's result is read once it is applied.
    # Amazon gives no bound for patches: we take a minute (README, "Own sales").
    set_lands_within_seconds = 60.0
    rate_limits = usage_plan_rate_limits()
    order_overlap_seconds = 600
    quantity_mode = "set"
    restocks_on_cancel = True
    credentials = CREDENTIALS
    options = OPTIONS
    required_credentials = ("client_id", "client_secret", "refresh_token")

    @classmethod
    def grant_expires_at(cls, *, options: Mapping[str, object]) -> datetime | None:
        """A public application must be re-authorised every 365 days (``authorized_on``)."""
        day = options.get("authorized_on")
        if not day:
            return None
        start = datetime.combine(date.fromisoformat(str(day)), datetime.min.time(), tzinfo=UTC)
        return start + AUTHORIZATION_LIFETIME

    def __init__(self, *, config: AccountConfig, http: ChannelHttp, throttle: Throttle | None = None):
        super().__init__(config=config, http=http, throttle=throttle)
        options = config.options
        self.seller_id = str(options.get("seller_id") or "")
        raw_ids = options.get("marketplace_ids") or []
        self.marketplace_ids = [raw_ids] if isinstance(raw_ids, str) else [str(m) for m in raw_ids]  # type: ignore[union-attr]
        if not self.seller_id or not self.marketplace_ids:
            raise ConnectorError("Amazon accounts need the seller_id and marketplace_ids options")
        region = str(options.get("region") or "na")
        sandbox = bool(options.get("sandbox", False))
        known = region_of_host(urlsplit(config.base_url).hostname or "")
        if known is not None and known != (region, sandbox):
            raise ConnectorError(
                f"base_url is the {known[0]}{' sandbox' if known[1] else ''} endpoint, "
                f"options say {region}{' sandbox' if sandbox else ''}"
            )
        credentials = config.credentials
        missing = [name for name in self.required_credentials if not credentials.get(name)]
        if missing:
            raise ConnectorError(f"Missing Amazon credentials: {', '.join(missing)}")
        try:
            lwa_url = lwa_url_choose(
                base_url=config.base_url, region=region, override=str(options.get("lwa_url") or "")
            )
        except EndpointError as exc:
            raise ConnectorError(str(exc)) from None
        http_options = {
            "allow_private": settings.CHANNELS_ALLOW_PRIVATE_HOSTS,
            "connect_timeout": settings.CHANNELS_HTTP_CONNECT_TIMEOUT,
            "read_timeout": settings.CHANNELS_HTTP_READ_TIMEOUT,
            "secrets": [credentials.get(name, "") for name in self.secret_fields],
        }
        self.plans = UsagePlanThrottle(
            account_id=config.account_id,
            take=self.throttle,
            max_wait=float(options.get("throttle_max_wait", 30.0)),
        )
        self.auth = LwaAuth(
            lwa_url=lwa_url,
            client_id=credentials["client_id"],
            client_secret=credentials["client_secret"],
            refresh_token=credentials["refresh_token"],
            http_options=http_options,
        )
        self.client = SpApiClient(http=http, auth=self.auth, throttle=self.plans, http_options=http_options)
        self.orders_page_size = min(max(int(options.get("orders_page_size", 20)), 1), 100)
        self.initial_lookback = timedelta(days=float(options.get("initial_lookback_days", 30)))
        self.pusher = QuantityPusher(
            client=self.client,
            account_id=config.account_id,
            seller_id=self.seller_id,
            marketplace_ids=self.marketplace_ids,
            patch_max=int(options.get("patch_max", 5)),
            feed_min=int(options.get("feed_min", 500)),
            patch_rate=self.plans.rate("patchListingsItem"),
            feed_poll_seconds=float(options.get("feed_poll_seconds", 60.0)),
        )
        self.listings = ListingsReader(
            client=self.client,
            seller_id=self.seller_id,
            marketplace_ids=self.marketplace_ids,
            wait_seconds=float(options.get("report_wait_seconds", 30.0)),
            poll_seconds=float(options.get("report_poll_seconds", 5.0)),
            timeout_seconds=float(options.get("report_timeout_seconds", 3600.0)),
        )
        self.http_options = http_options
        self._sqs: SqsClient | None = None

    # ------------------------------------------------------------------ orders
    def orders_fetch_changed(self, *, since: datetime | None, cursor: str | None) -> OrderPage:
        """getOrders by LastUpdatedAfter (seller-fulfilled orders only), NextToken paging, and the
        OrderItems of every order on the page (getOrderItems, cached per LastUpdateDate).

        ``since`` None (first poll): open orders updated within ``initial_lookback_days``.
        """
        params: list[tuple[str, Any]] = [
            ("MarketplaceIds", ",".join(self.marketplace_ids)),
            ("FulfillmentChannels", "MFN"),
            ("MaxResultsPerPage", self.orders_page_size),
        ]
        if since is None:
            params += [
                ("LastUpdatedAfter", _iso(datetime.now(UTC) - self.initial_lookback)),
                ("OrderStatuses", OPEN_STATUSES),
            ]
        else:
            params.append(("LastUpdatedAfter", _iso(since)))
        if cursor:
            params.append(("NextToken", cursor))
        data = self.client.call_json("getOrders", "GET", "orders/v0/orders", params=params)
        payload = data.get("payload") if isinstance(data, Mapping) else None
        if not isinstance(payload, Mapping) or not isinstance(payload.get("Orders"), list):
            raise ConnectorError("getOrders answered without payload.Orders")
        orders: list[OrderDTO] = []
        for order in payload["Orders"]:
            if not isinstance(order, Mapping) or order.get("FulfillmentChannel") == "AFN":
                continue  # Amazon ships FBA orders from its own stock
            orders.append(order_from_amazon(order, self._order_items(order)))
        return OrderPage(orders=orders, next_cursor=payload.get("NextToken") or None)

    def _order_items(self, order: Mapping[str, Any], *, cache: bool = True) -> list[dict]:
        order_id = str(order.get("AmazonOrderId") or "")
        version = (
            f"{order.get('LastUpdateDate')}|{order.get('OrderStatus')}|{order.get('NumberOfItemsShipped')}"
        )
        where = hashlib.sha256(f"{self.config.base_url}|{self.seller_id}".encode()).hexdigest()[:16]
        key = (
            "amazon-items:"
            + hashlib.sha256(f"{self.config.account_id}|{where}|{order_id}|{version}".encode()).hexdigest()
        )
        cached = _items_cache_get(key) if cache else None
        if cached is not None:
            return cached
        items: list[dict] = []
        token: str | None = None
        for _ in range(100):
            params = {"NextToken": token} if token else None
            data = self.client.call_json(
                "getOrderItems",
                "GET",
                f"orders/v0/orders/{quote(order_id, safe='')}/orderItems",
                params=params,
            )
            payload = data.get("payload") if isinstance(data, Mapping) else None
            if not isinstance(payload, Mapping) or not isinstance(payload.get("OrderItems"), list):
                raise ConnectorError(f"getOrderItems {order_id} answered without payload.OrderItems")
            items.extend(payload["OrderItems"])
            token = payload.get("NextToken") or None
            if not token:
                break
        if cache:
            _items_cache_set(key, items)
        return items

    # ------------------------------------------------------------------ listings
    def listings_fetch(self, *, cursor: str | None) -> ListingPage:
        """searchListingsItems pages (20 listings), then, past 1,000 SKUs, the listings report
        (``reports.ListingsReader``); FBA listings come with push_enabled False."""
        return self.listings.fetch(cursor=cursor)

    def _listing_item(self, sku: str, included: str) -> Mapping[str, Any] | None:
        try:
            item = self.client.call_json(
                "getListingsItem",
                "GET",
                f"listings/2021-08-01/items/{quote(self.seller_id, safe='')}/{sku_path(sku)}",
                params=[("marketplaceIds", self.marketplace_ids[0]), ("includedData", included)],
            )
        except AmazonApiError as exc:
            if exc.status == 404:
                return None
            raise
        return item if isinstance(item, Mapping) else None

    def listing_fetch(self, *, sku: str) -> ListingDTO | None:
        """getListingsItem of one SKU as a listing to link (None if Amazon has none)."""
        item = self._listing_item(sku, "summaries,fulfillmentAvailability")
        return listing_from_amazon(item, marketplace_id=self.marketplace_ids[0]) if item else None

    def quantities_fetch(self, *, listings: Sequence[ListingRef]) -> dict[str, int]:
        """getListingsItem (fulfillmentAvailability) per seller-fulfilled listing. FBA listings,
        unknown SKUs and SKUs with "/" (Amazon refuses them in paths) are left out."""
        found: dict[str, int] = {}
        for ref in listings:
            if ref.extra.get("fulfillment_channel_code", "DEFAULT") != "DEFAULT" or "/" in ref.external_id:
                continue
            item = self._listing_item(ref.external_id, "fulfillmentAvailability")
            quantity = quantity_from_amazon(item) if item else None
            if quantity is not None:
                found[ref.external_id] = quantity
        return found

    def quantities_push(self, *, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        """Set seller-fulfilled quantities: patchListingsItem for small pushes and urgent
        decreases, a JSON_LISTINGS_FEED for the rest (see ``pushing``)."""
        return self.pusher.push(updates=updates)

    # ------------------------------------------------------------------ cancellation
    # The Orders API has no cancel operation for a seller-fulfilled order (the XML order
    # acknowledgement feed can refuse one; we do not send it): the seller cancels in Seller Central.
    cancel_instructions = (
        "Amazon's Orders API cannot cancel an order for us: cancel order {ref} in Seller Central"
        " (Orders > Manage Orders > Cancel order) so the buyer is refunded and Amazon stops"
        " expecting a shipment."
    )

    # ------------------------------------------------------------------ fulfilment
    def fulfilment_push(self, *, fulfilment: FulfilmentDTO) -> None:
        """confirmShipment of the shipped order items with carrier and tracking number."""
        order_id = fulfilment.order_external_id
        marketplace_id = self.marketplace_ids[0]
        if len(self.marketplace_ids) > 1:
            data = self.client.call_json("getOrder", "GET", f"orders/v0/orders/{quote(order_id, safe='')}")
            payload = data.get("payload") if isinstance(data, Mapping) else None
            marketplace_id = str((payload or {}).get("MarketplaceId") or marketplace_id)
        body = confirm_shipment_body(
            fulfilment=fulfilment, marketplace_id=marketplace_id, ship_date=datetime.now(UTC)
        )
        try:
            self.client.call(
                "confirmShipment",
                "POST",
                f"orders/v0/orders/{quote(order_id, safe='')}/shipmentConfirmation",
                json=body,
            )
        except AmazonApiError as exc:
            if exc.status != 400 or not self._items_shipped(order_id=order_id, lines=fulfilment.lines):
                raise
            # A retry of a confirmation that already landed: every item is shipped on Amazon.

    def _items_shipped(self, *, order_id: str, lines: Mapping[str, int]) -> bool:
        """True when each order item of ``lines`` shows all its units shipped on Amazon."""
        items = {
            str(item.get("OrderItemId")): item
            for item in self._order_items({"AmazonOrderId": order_id, "LastUpdateDate": "now"}, cache=False)
        }
        return all(
            item_id in items
            and int(items[item_id].get("QuantityShipped") or 0)
            >= int(items[item_id].get("QuantityOrdered") or 0)
            for item_id in lines
        )

    # ------------------------------------------------------------------ notifications (SQS)
    @classmethod
    def notifications_configured(cls, *, options: Mapping[str, object]) -> bool:
        """True when the account has an ``sqs_queue_url``."""
        return bool(options.get("sqs_queue_url"))

    def _sqs_client(self) -> SqsClient:
        if self._sqs is None:
            queue_url = str(self.config.options.get("sqs_queue_url") or "")
            if not queue_url:
                raise ConnectorError("The account has no sqs_queue_url option")
            credentials = self.config.credentials
            self._sqs = SqsClient(
                queue_url=queue_url,
                credentials=AwsCredentials(
                    access_key_id=credentials.get("aws_access_key_id", ""),
                    secret_access_key=credentials.get("aws_secret_access_key", ""),
                    region=credentials.get("aws_region", ""),
                ),
                allow_private=self.http_options["allow_private"],
                connect_timeout=self.http_options["connect_timeout"],
                read_timeout=self.http_options["read_timeout"],
                visibility_timeout=int(self.config.options.get("sqs_visibility_timeout", 30)),
            )
        return self._sqs

    def notifications_pull(self, *, wait_seconds: float) -> list[PulledEvent]:
        """ReceiveMessage (long polling up to ``wait_seconds``, at most 20) on the account's
        queue; each message as an event (``notifications.message_event``). An ORDER_CHANGE
        whose Summary lacks the items is completed by getOrder + getOrderItems."""
        messages = self._sqs_client().receive(wait_seconds=wait_seconds)
        return [
            message_event(message, seller_id=self.seller_id, order_fetch=self._order_fetch)
            for message in messages
        ]

    def notifications_ack(self, *, acks: Sequence[str]) -> None:
        """DeleteMessageBatch of the received messages (receipt handles)."""
        if acks:
            self._sqs_client().delete(receipt_handles=acks)

    def _order_fetch(self, order_id: str) -> OrderDTO | None:
        """getOrder + getOrderItems of one order (None for an FBA order)."""
        data = self.client.call_json("getOrder", "GET", f"orders/v0/orders/{quote(order_id, safe='')}")
        order = data.get("payload") if isinstance(data, Mapping) else None
        if not isinstance(order, Mapping) or not order.get("AmazonOrderId"):
            raise ConnectorError(f"getOrder {order_id} answered without payload")
        if order.get("FulfillmentChannel") == "AFN":
            return None
        return order_from_amazon(order, self._order_items(order))
