"""The eBay connector, registered under kind ``ebay`` (protocol in the package docstring).

A listing is one SKU of the Inventory API (external id = SKU) with its fixed-price offer on the
account's marketplace (``external_offer_id``, what pushes address) and the live listing's id
(``external_product_id``, whose daily revisions a push spends). Listings made in Seller Hub or by
other tools are invisible to the Inventory API until migrated (:meth:`listings_migrate`).
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from channels_app.connectors.base import (
    ConfirmsFulfilment,
    Connector,
    ConnectsByRedirect,
    RegistersWebhooks,
    Throttle,
)
from channels_app.connectors.dto import (
    AccountConfig,
    FulfilmentDTO,
    ListingPage,
    ListingRef,
    OrderPage,
    PushResult,
    QuantityUpdate,
    RateLimit,
    WebhookEvent,
)
from channels_app.connectors.ebay import pushing
from channels_app.connectors.ebay.auth import EbayAuth, consent_url
from channels_app.connectors.ebay.client import EbayClient, error_ids
from channels_app.connectors.ebay.declared import CONSENT_URLS, CREDENTIALS, OPTIONS
from channels_app.connectors.ebay.mapping import ebay_time, listing_from_item, offer_chosen, order_from_json
from channels_app.connectors.ebay.migration import Migrated, listings_migrate
from channels_app.connectors.ebay.notifications import (
    PUBLIC_KEY_PATH,
    PublicKeys,
    signature_verify,
)
from channels_app.connectors.ebay.revisions import RevisionBook
from channels_app.connectors.ebay.subscriptions import notifications_subscribe
from channels_app.connectors.errors import ConnectorError, WebhookPayloadError
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.registry import connector_register
from channels_app.connectors.tokens import StoredToken, TokenStore
from config.safejson import json_loads_bounded

ITEMS_PATH = "sell/inventory/v1/inventory_item"
OFFERS_PATH = "sell/inventory/v1/offer"
ORDERS_PATH = "sell/fulfillment/v1/order"

_keys: dict[str, PublicKeys] = {}
_keys_lock = threading.Lock()


@connector_register
class EbayConnector(Connector, RegistersWebhooks, ConfirmsFulfilment, ConnectsByRedirect):
    """Sell Inventory + Sell Fulfillment + Commerce Notification, quantities set absolutely."""

    kind = "ebay"
    label = "eBay"
    batch_max = 25  # bulkUpdatePriceQuantity elements per call
    # Spacing only: the daily quotas (Inventory ~2,000,000, Fulfillment order ~100,000) are far
    # above what these rates can spend; 429s are retried at the quota's reset.
    rate_limit = RateLimit(per_second=5.0, burst=5)
    rate_limits = {
        "inventory": RateLimit(per_second=10.0, burst=10),
        "fulfillment": RateLimit(per_second=5.0, burst=5),
        "notification": RateLimit(per_second=2.0, burst=2),
    }
    order_overlap_seconds = 600
    quantity_mode = "set"
    restocks_on_cancel = True
    credentials = CREDENTIALS
    options = OPTIONS

    def __init__(
        self,
        *,
        config: AccountConfig,
        http: ChannelHttp,
        throttle: Throttle | None = None,
        tokens: TokenStore | None = None,
        revisions: RevisionBook | None = None,
    ):
        super().__init__(config=config, http=http, throttle=throttle)
        options = config.options
        try:
            self.orders_page_size = min(max(int(options.get("orders_page_size", 200)), 1), 200)
            self.items_page_size = min(max(int(options.get("items_page_size", 100)), 1), 200)
            self.revision_reserve = min(max(int(options.get("revision_reserve", 20)), 0), 250)
            self.last_units = max(int(options.get("last_units", 2)), 0)
        except (TypeError, ValueError) as exc:
            raise ConnectorError(f"Bad eBay option: {exc}") from None
        self.marketplace_id = str(options.get("marketplace_id") or "EBAY_US")
        self.auth = EbayAuth(http=http, credentials=config.credentials, tokens=tokens)
        self.client = EbayClient(
            http=http, auth=self.auth, throttle=self.throttle, marketplace_id=self.marketplace_id
        )
        self._revisions = revisions

    @property
    def revisions(self) -> RevisionBook:
        """The shared revision counts (the engine's database book unless one was given)."""
        if self._revisions is None:
            from channels_app.services.revisions import AccountRevisionBook

            self._revisions = AccountRevisionBook(account_id=self.config.account_id)
        return self._revisions

    @classmethod
    def token_kind(cls, *, credentials: Mapping[str, str], options: Mapping[str, object]) -> str:
        """Always the authorization code grant."""
        return "connect"

    @classmethod
    def credentials_problems(
        cls, *, credentials: Mapping[str, str], options: Mapping[str, object]
    ) -> list[str]:
        """Every credential is required; the verification token is 32-80 of [A-Za-z0-9_-]."""
        problems = [f"{c.name} is required" for c in CREDENTIALS if not credentials.get(c.name)]
        token = credentials.get("verification_token", "")
        if token and not (32 <= len(token) <= 80 and all(ch.isalnum() or ch in "_-" for ch in token)):
            problems.append("verification_token must be 32 to 80 characters of A-Z, a-z, 0-9, _ and -")
        return problems

    # --- connect ---------------------------------------------------------------------------------
    def connect_url(self, *, redirect_uri: str, state: str) -> str | None:
        """eBay's consent page. eBay redirects to the RuName's Auth Accepted URL, which the seller
        sets to ``redirect_uri`` in the developer portal (``redirect_uri`` itself is not sent)."""
        environment = str(self.config.options.get("environment") or "production")
        base = str(self.config.options.get("consent_url") or CONSENT_URLS[environment])
        return consent_url(base=base, client_id=self.auth.client_id, ru_name=self.auth.ru_name, state=state)

    def connect_finish(self, *, params: Mapping[str, str], state: str) -> StoredToken:
        """Check ``state`` and exchange the code (it lives 299 s) for the seller's tokens."""
        if params.get("error"):
            raise ConnectorError(f"The seller declined on eBay ({params.get('error')})")
        given = params.get("state", "")
        if not state or not hmac.compare_digest(given.encode(), state.encode()):
            raise ConnectorError("The connect request expired or was not started here (state mismatch)")
        code = params.get("code", "")
        if not code:
            raise ConnectorError("eBay's redirect carries no authorization code")
        return self.auth.code_exchange(code=code)

    # --- listings --------------------------------------------------------------------------------
    def _offers(self, sku: str) -> list[dict[str, Any]]:
        try:
            data = self.client.json("GET", OFFERS_PATH, api="inventory", params={"sku": sku})
        except ConnectorError as exc:
            if exc.status == 404:
                return []
            raise
        return list(data.get("offers") or [])

    def listings_fetch(self, *, cursor: str | None) -> ListingPage:
        """One page of inventory items, each with its offer (one getOffers per SKU)."""
        params = {"limit": str(self.items_page_size), "offset": cursor or "0"}
        data = self.client.json("GET", ITEMS_PATH, api="inventory", params=params)
        listings = []
        for item in data.get("inventoryItems") or []:
            offer = offer_chosen(self._offers(str(item["sku"])), marketplace_id=self.marketplace_id)
            listings.append(listing_from_item(item, offer))
        next_cursor = None
        if data.get("next"):
            next_cursor = (parse_qs(urlsplit(str(data["next"])).query).get("offset") or [None])[0]
        return ListingPage(listings=listings, next_cursor=next_cursor)

    def listings_migrate(self, *, listing_ids: Sequence[str]) -> list[Migrated]:
        """Migrate Seller Hub / Trading listings to the Inventory API (see ``migration``)."""
        return listings_migrate(client=self.client, listing_ids=listing_ids)

    def quantities_fetch(self, *, listings: Sequence[ListingRef]) -> dict[str, int]:
        """Each offer's ``availableQuantity`` (getOffer by offerId)."""
        found: dict[str, int] = {}
        for ref in listings:
            if not ref.external_offer_id:
                continue
            offer = self.client.json("GET", f"{OFFERS_PATH}/{ref.external_offer_id}", api="inventory")
            if offer.get("availableQuantity") is not None:
                found[ref.external_id] = int(offer["availableQuantity"])
        return found

    def quantities_push(self, *, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        """bulkUpdatePriceQuantity, quantity only, within each listing's daily revisions."""
        return pushing.quantities_push(
            client=self.client,
            book=self.revisions,
            updates=updates,
            now=self.auth.tokens.now,
            reserve=self.revision_reserve,
            last_units=self.last_units,
        )

    # --- orders ----------------------------------------------------------------------------------
    def orders_fetch_changed(self, *, since: datetime | None, cursor: str | None) -> OrderPage:
        """getOrders filtered on lastmodifieddate from ``since`` (the engine subtracts the
        overlap), ``limit``/``offset`` paging; no filter: eBay's last 90 days."""
        offset = int(cursor or 0)
        params: dict[str, Any] = {"limit": str(self.orders_page_size), "offset": str(offset)}
        if since is not None:
            params["filter"] = f"lastmodifieddate:[{ebay_time(since)}..]"
        data = self.client.json("GET", ORDERS_PATH, api="fulfillment", params=params)
        orders = [order_from_json(o) for o in data.get("orders") or []]
        total = int(data.get("total") or 0)
        more = bool(data.get("next")) or offset + len(orders) < total
        next_cursor = str(offset + self.orders_page_size) if more and orders else None
        return OrderPage(orders=orders, next_cursor=next_cursor)

    def order_fetch(self, *, order_id: str) -> dict[str, Any]:
        """getOrder."""
        return self.client.json("GET", f"{ORDERS_PATH}/{order_id}", api="fulfillment")

    # --- fulfilment ------------------------------------------------------------------------------
    def fulfilment_push(self, *, fulfilment: FulfilmentDTO) -> None:
        """createShippingFulfillment: line items, carrier code and tracking number. A retry of a
        report that landed is recognised: eBay already shows those lines FULFILLED."""
        if bool(fulfilment.carrier) != bool(fulfilment.tracking_number):
            raise ConnectorError("eBay needs both a carrier code and a tracking number, or neither")
        body: dict[str, Any] = {
            "lineItems": [{"lineItemId": line, "quantity": qty} for line, qty in fulfilment.lines.items()]
        }
        if fulfilment.tracking_number:
            body["shippingCarrierCode"] = fulfilment.carrier
            body["trackingNumber"] = fulfilment.tracking_number
        path = f"{ORDERS_PATH}/{fulfilment.order_external_id}/shipping_fulfillment"
        try:
            self.client.call("POST", path, api="fulfillment", json_body=body)
        except ConnectorError as exc:
            if exc.status in (400, 409) and self._already_fulfilled(fulfilment):
                return
            raise

    def _already_fulfilled(self, fulfilment: FulfilmentDTO) -> bool:
        order = self.order_fetch(order_id=fulfilment.order_external_id)
        done = {
            str(li.get("lineItemId"))
            for li in order.get("lineItems") or []
            if li.get("lineItemFulfillmentStatus") == "FULFILLED"
        }
        return set(fulfilment.lines) <= done

    # --- notifications ---------------------------------------------------------------------------
    def _public_key(self, kid: str) -> str | None:
        try:
            data = self.client.json(
                "GET", PUBLIC_KEY_PATH.format(kid=kid), api="notification", app_token=True
            )
        except ConnectorError as exc:
            if exc.status == 404 or 195001 in error_ids(exc.body):
                return None
            raise
        return str(data.get("key") or "") or None

    def public_keys(self) -> PublicKeys:
        """The process-wide key cache of this eBay host."""
        with _keys_lock:
            keys = _keys.get(self.http.base_url)
            if keys is None:
                keys = _keys[self.http.base_url] = PublicKeys(fetch=self._public_key)
            return keys

    def webhook_verify(self, *, headers: Mapping[str, str], body: bytes) -> None:
        """X-EBAY-SIGNATURE: ECDSA/SHA-1 with the key of its kid (fetched and cached)."""
        signature_verify(headers=headers, body=body, keys=self.public_keys())

    def webhook_parse(self, *, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """ORDER_CONFIRMATION carries the orderId: the order is read with getOrder."""
        try:
            data = json_loads_bounded(body)
            topic = str(data["metadata"]["topic"])
            notification = data["notification"]
            event_id = str(notification["notificationId"])
        except (ValueError, UnicodeDecodeError, KeyError, TypeError):
            raise WebhookPayloadError(
                "Not an eBay notification (metadata.topic, notification.notificationId)"
            ) from None
        if topic != "ORDER_CONFIRMATION":
            return WebhookEvent(event_id=event_id, topic=topic, kind="ignored", payload={"topic": topic})
        order_id = str((notification.get("data") or {}).get("orderId") or "")
        if not order_id:
            raise WebhookPayloadError("ORDER_CONFIRMATION without data.orderId")
        order = order_from_json(self.order_fetch(order_id=order_id))
        return WebhookEvent(
            event_id=event_id, topic=topic, kind="order", payload={"orderId": order_id}, order=order
        )

    def webhooks_register(self, *, url: str) -> None:
        """Config, a destination at our eBay route (eBay checks its challenge) and the
        ORDER_CONFIRMATION subscription; kept when already there."""
        notifications_subscribe(
            client=self.client,
            endpoint=ebay_endpoint(url),
            verification_token=self.config.credentials.get("verification_token", ""),
            alert_email=str(self.config.options.get("alert_email") or ""),
        )


def ebay_endpoint(url: str) -> str:
    """Our eBay notification route for an account's webhook URL: ``.../<token>/`` becomes
    ``.../ebay/<token>/`` (that route also answers eBay's GET challenge)."""
    head, _, token = url.rstrip("/").rpartition("/")
    return f"{head}/ebay/{token}/"
