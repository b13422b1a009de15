"""The Shopify connector, registered under kind ``shopify`` (options in the package docstring).

Listings are variants (external id = the variant's Global ID; the inventory item id addresses the
quantity), published at one Shopify location. The engine computes one figure per listing from the
account's feeding locations, so every listing of an account shows that figure at one Shopify
location; a shop selling from several Shopify locations needs the engine to publish per
(listing, location) - the connector already carries the location on each listing (``extra``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from channels_app.connectors.base import (
    CancelsOrders,
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
from channels_app.connectors.errors import ConnectorError, WebhookPayloadError
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.registry import connector_register
from channels_app.connectors.shopify import queries
from channels_app.connectors.shopify.auth import ShopifyAuth, auth_mode, credentials_problems
from channels_app.connectors.shopify.client import ShopifyClient
from channels_app.connectors.shopify.declared import CREDENTIALS, OPTIONS
from channels_app.connectors.shopify.fulfilment import fulfilment_create, order_cancel
from channels_app.connectors.shopify.inventory import QuantityWriter, levels_read
from channels_app.connectors.shopify.mapping import (
    gid,
    listing_from_graphql,
    order_from_graphql,
    order_from_rest,
)
from channels_app.connectors.shopify.oauth import (
    account_shop_domain,
    authorize_url,
    callback_check,
    code_exchange,
)
from channels_app.connectors.shopify.versions import DEFAULT_API_VERSION
from channels_app.connectors.shopify.webhooks import delivery_headers, webhook_signature_check
from channels_app.connectors.tokens import StoredToken, TokenStore
from config.safejson import json_loads_bounded

ORDER_TOPICS = {"orders/create", "orders/updated", "orders/cancelled", "orders/fulfilled", "orders/paid"}
WEBHOOK_TOPICS = ("ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED", "ORDERS_FULFILLED", "REFUNDS_CREATE")
ORDER_LINES_PAGE = 25
MAX_PAGES = 100


@connector_register
class ShopifyConnector(Connector, RegistersWebhooks, ConfirmsFulfilment, CancelsOrders, ConnectsByRedirect):
    """Shopify Admin GraphQL API connector with compare-and-swap quantity pushes."""

    kind = "shopify"
    label = "Shopify"
    batch_max = 250  # inventorySetQuantities input array limit
    # Shopify limits by query cost (the client tracks the bucket); this only spaces calls.
    rate_limit = RateLimit(per_second=10.0, burst=10)
    order_overlap_seconds = 300
    quantity_mode = "cas"
    restocks_on_cancel = True
    # Per auth mode (``auth.MODE_CREDENTIALS``): access_token + webhook_secret (legacy custom app),
    # client_id + client_secret (Dev Dashboard app).
    credentials = CREDENTIALS
    options = OPTIONS

    def __init__(
        self,
        *,
        config: AccountConfig,
        http: ChannelHttp,
        throttle: Throttle | None = None,
        tokens: TokenStore | None = None,
    ):
        super().__init__(config=config, http=http, throttle=throttle)
        options = config.options
        try:
            self.auth = ShopifyAuth(http=http, credentials=config.credentials, options=options, tokens=tokens)
            self.client = ShopifyClient(
                http=http,
                auth=self.auth,
                api_version=str(options.get("api_version") or DEFAULT_API_VERSION),
                max_wait=float(options.get("throttle_wait_seconds", 2.0)),
            )
            self.page_size = min(max(int(options.get("page_size", 100)), 1), 150)
            self.orders_page_size = min(max(int(options.get("orders_page_size", 10)), 1), 25)
        except (TypeError, ValueError) as exc:
            raise ConnectorError(f"Bad Shopify option: {exc}") from None
        self.notify_customer = bool(options.get("notify_customer", True))
        self._location: str | None = None

    @classmethod
    def credentials_problems(
        cls, *, credentials: Mapping[str, str], options: Mapping[str, object]
    ) -> list[str]:
        """The credentials of the account's auth mode, exactly (see ``auth``)."""
        return credentials_problems(credentials=credentials, options=options)

    @classmethod
    def token_kind(cls, *, credentials: Mapping[str, str], options: Mapping[str, object]) -> str:
        """Legacy token "static"; client credentials "stored"; authorization code "connect"."""
        mode = auth_mode(credentials=credentials, options=options)
        return {"access_token": "static", "authorization_code": "connect"}.get(mode, "stored")

    # --- connect (authorization code grant, see ``oauth``) -----------------------------------------
    def connect_url(self, *, redirect_uri: str, state: str) -> str | None:
        """The shop's install page for the app (authorization_code mode only)."""
        if self.auth.mode != "authorization_code":
            return None
        return authorize_url(
            base_url=self.config.base_url,
            client_id=self.config.credentials.get("client_id", ""),
            redirect_uri=redirect_uri,
            state=state,
        )

    def connect_finish(self, *, params: Mapping[str, str], state: str) -> StoredToken:
        """Verify the callback (state, HMAC, shop) and exchange its code with ``expiring=1``."""
        if self.auth.mode != "authorization_code":
            raise ConnectorError("This Shopify account does not use the authorization code grant")
        secret = self.config.credentials.get("client_secret", "")
        code = callback_check(
            params=params,
            expected_state=state,
            client_secret=secret,
            shop_domain=account_shop_domain(base_url=self.config.base_url, options=self.config.options),
        )
        return code_exchange(
            http=self.http,
            client_id=self.config.credentials.get("client_id", ""),
            client_secret=secret,
            code=code,
            now=self.auth.tokens.now(),
        )

    # --- locations -------------------------------------------------------------------------------
    def locations_fetch(self) -> list[dict[str, Any]]:
        """Every active location of the shop (all pages)."""
        found: list[dict[str, Any]] = []
        after = None
        for _ in range(MAX_PAGES):
            data = self.client.execute(
                queries.LOCATIONS, {"first": 50, "after": after}, operation="StockmasterLocations"
            )
            connection = data["locations"]
            found.extend(connection["nodes"])
            after = connection["pageInfo"]["endCursor"]
            if not connection["pageInfo"]["hasNextPage"]:
                break
        return found

    def location_id(self) -> str:
        """The Shopify location our figure is published at (from the options, else the only one)."""
        if self._location:
            return self._location
        options = self.config.options
        mapped = {gid("Location", v) for v in dict(options.get("location_map") or {}).values()}
        if len(mapped) > 1:
            raise ConnectorError(
                "location_map names several Shopify locations; the engine publishes one figure per "
                "listing, so map the account's locations to one Shopify location"
            )
        chosen = options.get("location_id") or (mapped.pop() if mapped else None)
        if chosen:
            self._location = gid("Location", chosen)
            return self._location
        active = [loc for loc in self.locations_fetch() if loc.get("isActive", True)]
        if len(active) != 1:
            names = ", ".join(f"{loc['name']} ({loc['id']})" for loc in active)
            raise ConnectorError(f"The shop has {len(active)} active locations; set location_id: {names}")
        self._location = str(active[0]["id"])
        return self._location

    def _location_of(self, ref: ListingRef) -> str:
        return str(ref.extra.get("location_id") or self.location_id())

    # --- listings and quantities --------------------------------------------------------------------
    def listings_fetch(self, *, cursor: str | None) -> ListingPage:
        """One page of variants with their "available" at the location."""
        location = self.location_id()
        data = self.client.execute(
            queries.VARIANTS,
            {"first": self.page_size, "after": cursor, "locationId": location},
            operation="StockmasterVariants",
        )
        connection = data["productVariants"]
        info = connection["pageInfo"]
        return ListingPage(
            listings=[listing_from_graphql(node, location_id=location) for node in connection["nodes"]],
            next_cursor=info["endCursor"] if info["hasNextPage"] else None,
        )

    def quantities_fetch(self, *, listings: Sequence[ListingRef]) -> dict[str, int]:
        """Live "available" of each listing at its location."""
        pairs = {
            ref.external_id: (ref.external_inventory_item_id, self._location_of(ref))
            for ref in listings
            if ref.external_inventory_item_id
        }
        live = levels_read(client=self.client, pairs=list(pairs.values()))
        return {external_id: live[pair] for external_id, pair in pairs.items() if pair in live}

    def quantities_push(self, *, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        """inventorySetQuantities with compare-and-swap (see ``inventory``)."""
        if len(updates) > self.batch_max:
            raise ConnectorError(f"At most {self.batch_max} quantities per push")
        writer = QuantityWriter(
            client=self.client,
            location_of=self._location_of,
            reference=f"stockmaster://channel-account/{self.config.account_id}/push",
        )
        return writer.push(updates)

    # --- orders ---------------------------------------------------------------------------------------
    def orders_fetch_changed(self, *, since: datetime | None, cursor: str | None) -> OrderPage:
        """Orders updated at or after ``since`` (None: every open order), oldest change first."""
        if since is None:
            search = "status:open"
        else:
            stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            search = f"updated_at:>='{stamp}'"
        data = self.client.execute(
            queries.ORDERS,
            {"first": self.orders_page_size, "after": cursor, "query": search, "lines": ORDER_LINES_PAGE},
            operation="StockmasterOrders",
        )
        connection = data["orders"]
        orders = [
            order_from_graphql(node, extra_lines=self._more_lines(node)) for node in connection["nodes"]
        ]
        info = connection["pageInfo"]
        return OrderPage(orders=orders, next_cursor=info["endCursor"] if info["hasNextPage"] else None)

    def _more_lines(self, node: Mapping[str, Any]) -> list[dict[str, Any]]:
        info = node["lineItems"]["pageInfo"]
        lines: list[dict[str, Any]] = []
        after = info["endCursor"]
        while info["hasNextPage"] and len(lines) < 100 * MAX_PAGES:
            data = self.client.execute(
                queries.ORDER_LINES, {"id": node["id"], "after": after}, operation="StockmasterOrderLines"
            )
            connection = (data.get("order") or {}).get("lineItems") or {}
            lines.extend(connection.get("nodes") or [])
            info = connection.get("pageInfo") or {"hasNextPage": False}
            after = info.get("endCursor")
        return lines

    # --- fulfilment -----------------------------------------------------------------------------------
    def fulfilment_push(self, *, fulfilment: FulfilmentDTO) -> None:
        """fulfillmentCreate for the shipped lines (see ``fulfilment``)."""
        fulfilment_create(client=self.client, fulfilment=fulfilment, notify_customer=self.notify_customer)

    def order_cancel_push(self, *, order_external_id: str, reason: str) -> None:
        """orderCancel, refunding the buyer and restocking (see ``fulfilment.order_cancel``)."""
        order_cancel(
            client=self.client,
            order_external_id=order_external_id,
            reason=reason,
            notify_customer=self.notify_customer,
        )

    # --- webhooks -------------------------------------------------------------------------------------
    def webhook_verify(self, *, headers: Mapping[str, str], body: bytes) -> None:
        """X-Shopify-Hmac-Sha256 in constant time, keyed with the legacy app's API secret key or
        the Dev Dashboard app's client secret."""
        webhook_signature_check(secret=self.auth.webhook_secret, headers=headers, body=body)

    def webhook_parse(self, *, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Order topics carry the whole order (REST representation); other topics are kept, ignored.

        The event id is ``<topic>:<X-Shopify-Event-Id>``, so retries and duplicate deliveries are
        stored once. The snapshot's ``updated_at`` is the order's own, which the engine compares
        with what it applied (a late delivery of an older version changes nothing).
        """
        meta = delivery_headers(headers)
        try:
            data = json_loads_bounded(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise WebhookPayloadError("The body is not JSON") from exc
        if not isinstance(data, dict):
            raise WebhookPayloadError("The body is not a JSON object")
        payload = {"shopify": meta.as_dict(), "body": data}
        if meta.topic in ORDER_TOPICS:
            order = order_from_rest(data, fallback_updated_at=meta.triggered_at)
            return WebhookEvent(
                event_id=meta.dedupe_id, topic=meta.topic, kind="order", payload=payload, order=order
            )
        return WebhookEvent(event_id=meta.dedupe_id, topic=meta.topic, kind="ignored", payload=payload)

    def webhooks_register(self, *, url: str) -> None:
        """Subscribe the order and refund topics to ``url`` (existing subscriptions are kept)."""
        rules = self.client.rules
        address = "uri" if rules.webhook_uri else "callbackUrl"
        existing: set[str] = set()
        after = None
        for _ in range(MAX_PAGES):
            data = self.client.execute(
                queries.webhooks_list(rules), {"first": 100, "after": after}, operation="StockmasterWebhooks"
            )
            connection = data["webhookSubscriptions"]
            existing |= {n["topic"] for n in connection["nodes"] if n.get(address) == url}
            after = connection["pageInfo"]["endCursor"]
            if not connection["pageInfo"]["hasNextPage"]:
                break
        # The version actually served (an old one falls forward) decides the input field.
        address = "uri" if self.client.rules.webhook_uri else "callbackUrl"
        for topic in WEBHOOK_TOPICS:
            if topic in existing:
                continue
            data = self.client.execute(
                queries.WEBHOOK_CREATE,
                {"topic": topic, "sub": {address: url, "format": "JSON"}},
                operation="StockmasterWebhookCreate",
            )
            errors = data["webhookSubscriptionCreate"]["userErrors"]
            if errors and not all("already been taken" in e.get("message", "") for e in errors):
                raise ConnectorError(f"Shopify refused the {topic} webhook: {errors[0].get('message')}")
