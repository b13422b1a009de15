"""The BigCommerce connector, registered under kind ``bigcommerce`` (protocol in the package docstring).

Listings are catalog variants; our figure is published at one BigCommerce inventory location
(``location_id``, or the one ``location_map`` names, or the store's default location): the engine
computes one figure per listing from the account's feeding locations. Quantities are absolute
adjustments (``quantity_mode`` "set": BigCommerce has no compare-and-set, so the engine holds
increases until the store's orders are taken in). Orders come by webhook (thin: the order and its
products are re-fetched) and by the v2 poll, which also re-activates hooks BigCommerce deactivated.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from channels_app.connectors.base import (
    ConfirmsFulfilment,
    Connector,
    FetchesWebhookOrders,
    RegistersWebhooks,
    Throttle,
)
from channels_app.connectors.bigcommerce import webhooks as hooks
from channels_app.connectors.bigcommerce.client import (
    DEFAULT_RATE,
    PACE_CEILING,
    BigCommerceClient,
    QuotaPacer,
)
from channels_app.connectors.bigcommerce.declared import CREDENTIALS, OPTIONS
from channels_app.connectors.bigcommerce.mapping import (
    CANCELLED_STATUSES,
    FULFILLED_STATUSES,
    INCOMPLETE,
    adjustment_item,
    listings_from_product,
    order_from_json,
)
from channels_app.connectors.bigcommerce.shipments import shipments_for
from channels_app.connectors.dto import (
    AccountConfig,
    FulfilmentDTO,
    ListingPage,
    ListingRef,
    OrderDTO,
    OrderPage,
    PushResult,
    QuantityUpdate,
    RateLimit,
    WebhookEvent,
)
from channels_app.connectors.errors import ConnectorError, WebhookPayloadError
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.registry import connector_register
from config.safejson import json_loads_bounded

logger = logging.getLogger(__name__)

BATCH_MAX = 2000  # absolute adjustment items per request (inventory.v3.yml: "Limit of 2000 items")
CATALOG_PAGE = 250
ITEMS_READ_CHUNK = 200  # variant ids per inventory items read (keeps the URL short)
LINES_PAGE = 250
MAX_PAGES = 200
FETCH_MAX_WAIT = 2.0  # seconds a delivery's order fetch waits for the quota before its task retries
_IDENTITY = re.compile(r"(variant_id|product_id|sku)[ :]+([\w.-]+)")


def _quantity_limit(value: int) -> int:
    return max(0, min(int(value), 2_147_483_647))


@connector_register
class BigCommerceConnector(Connector, RegistersWebhooks, FetchesWebhookOrders, ConfirmsFulfilment):
    """BigCommerce v3 catalog/inventory/hooks and v2 orders."""

    kind = "bigcommerce"
    label = "BigCommerce"
    batch_max = BATCH_MAX
    rate_limit = RateLimit(per_second=DEFAULT_RATE, burst=5)
    # Every call's pace comes from the quota headers (QuotaPacer); the declared rate is a ceiling.
    rate_limits = {"api": RateLimit(per_second=PACE_CEILING, burst=5)}
    order_overlap_seconds = 300
    quantity_mode = "set"
    restocks_on_cancel = True
    credentials = CREDENTIALS
    options = OPTIONS

    def __init__(self, *, config: AccountConfig, http: ChannelHttp, throttle: Throttle | None = None):
        super().__init__(config=config, http=http, throttle=throttle)
        creds, options = config.credentials, config.options
        try:
            self.orders_page_size = min(max(int(options.get("orders_page_size", 50)), 1), 250)
            max_wait = float(options.get("quota_wait_seconds", 30.0))
        except (TypeError, ValueError) as exc:
            raise ConnectorError(f"Bad BigCommerce option: {exc}") from None
        store_hash = str(creds.get("store_hash") or "")
        self.client = BigCommerceClient(
            http=http,
            store_hash=store_hash,
            access_token=str(creds.get("access_token") or ""),
            pacer=QuotaPacer(
                store_key=f"{config.base_url}|{store_hash}", take=self.throttle, max_wait=max_wait
            ),
        )
        self.require_signature = bool(options.get("require_signature", True))
        self.reason = str(options.get("adjustment_reason") or "Stockmaster sync")
        self._location: int | None = None

    @classmethod
    def credentials_problems(
        cls, *, credentials: Mapping[str, str], options: Mapping[str, object]
    ) -> list[str]:
        """store_hash and access_token always; client_secret when signatures are required."""
        needed = ["store_hash", "access_token"]
        if options.get("require_signature", True):
            needed.append("client_secret")
        return [f"credential {name!r} is required" for name in needed if not credentials.get(name)]

    # --- locations ---------------------------------------------------------------------------------
    def location_id(self) -> int:
        """The BigCommerce location our figure is published at (see the module)."""
        if self._location is not None:
            return self._location
        options = self.config.options
        mapped = {int(v) for v in dict(options.get("location_map") or {}).values()}
        if len(mapped) > 1:
            raise ConnectorError(
                "location_map names several BigCommerce locations; the engine publishes one figure per "
                "listing, so map the account's locations to one BigCommerce location"
            )
        chosen = options.get("location_id") or (mapped.pop() if mapped else None)
        if chosen is None:
            data = self.client.json("GET", "v3/inventory/locations", params={"is_default": "true"}) or {}
            rows = data.get("data") or []
            if not rows:
                raise ConnectorError("The store has no default inventory location; set location_id")
            chosen = rows[0]["id"]
        self._location = int(chosen)
        return self._location

    def locations_fetch(self) -> list[dict[str, Any]]:
        """Every inventory location of the store (for mapping ours to them)."""
        found: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            data = (
                self.client.json("GET", "v3/inventory/locations", params={"page": page, "limit": 250}) or {}
            )
            found.extend(data.get("data") or [])
            pagination = (data.get("meta") or {}).get("pagination") or {}
            if int(pagination.get("current_page") or page) >= int(pagination.get("total_pages") or 1):
                break
        return found

    # --- listings and quantities ---------------------------------------------------------------------
    def listings_fetch(self, *, cursor: str | None) -> ListingPage:
        """One page of catalog products with their variants (``cursor`` is the page number)."""
        page = int(cursor or 1)
        data = (
            self.client.json(
                "GET",
                "v3/catalog/products",
                params={
                    "include": "variants",
                    "include_fields": "name,sku,inventory_tracking,inventory_level,base_variant_id",
                    "limit": CATALOG_PAGE,
                    "page": page,
                },
            )
            or {}
        )
        try:
            listings = [listing for product in data["data"] for listing in listings_from_product(product)]
        except (KeyError, TypeError, ValueError) as exc:
            raise ConnectorError(f"Malformed catalog page: {exc!r}") from None
        pagination = (data.get("meta") or {}).get("pagination") or {}
        more = int(pagination.get("current_page") or page) < int(pagination.get("total_pages") or page)
        return ListingPage(listings=listings, next_cursor=str(page + 1) if more else None)

    def quantities_fetch(self, *, listings: Sequence[ListingRef]) -> dict[str, int]:
        """``available_to_sell`` of each listing at the published location."""
        location = self.location_id()
        ids = [ref.external_variant_id or ref.external_id for ref in listings]
        found: dict[str, int] = {}
        for start in range(0, len(ids), ITEMS_READ_CHUNK):
            chunk = ids[start : start + ITEMS_READ_CHUNK]
            data = (
                self.client.json(
                    "GET",
                    f"v3/inventory/locations/{location}/items",
                    params={"variant_id:in": ",".join(chunk), "limit": len(chunk)},
                )
                or {}
            )
            for item in data.get("data") or []:
                variant = str((item.get("identity") or {}).get("variant_id") or "")
                for row in item.get("locations") or []:
                    if (
                        int(row.get("location_id", -1)) == location
                        and row.get("available_to_sell") is not None
                    ):
                        found[variant] = int(row["available_to_sell"])
        by_variant = {ref.external_variant_id or ref.external_id: ref.external_id for ref in listings}
        return {by_variant[v]: q for v, q in found.items() if v in by_variant}

    def quantities_push(self, *, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        """One absolute adjustment at the published location (at most 2,000 items, with a reason).

        An item BigCommerce refuses (a 422 naming its identity, e.g. tracked by product) fails
        alone: it is dropped and the rest sent again (the whole request is refused otherwise).
        """
        if len(updates) > self.batch_max:
            raise ConnectorError(f"At most {self.batch_max} quantities per push")
        location = self.location_id()
        results: list[PushResult] = []
        pending: dict[str, tuple[str, dict]] = {}
        for update in updates:
            ref = update.listing
            tracking = str(ref.extra.get("inventory_tracking") or "variant")
            if tracking == "none":
                results.append(
                    PushResult(ref.external_id, "error", error="BigCommerce tracks no stock for it")
                )
                continue
            item = adjustment_item(
                tracking=tracking,
                product_id=ref.external_product_id,
                variant_id=ref.external_variant_id or ref.external_id,
                location_id=location,
                quantity=_quantity_limit(update.quantity),
            )
            identity = "product_id" if "product_id" in item else "variant_id"
            pending[ref.external_id] = (f"{identity} {item[identity]}", item)
        while pending:
            body = {"reason": self.reason, "items": [item for _, item in pending.values()]}
            try:
                self.client.request("PUT", "v3/inventory/adjustments/absolute", json=body)
            except ConnectorError as exc:
                refused = self._refused(exc, pending)
                if exc.status != 422 or not refused:
                    raise
                for external_id in refused:
                    del pending[external_id]
                    results.append(
                        PushResult(external_id, "error", error=f"BigCommerce refused it: {exc.body[:200]}")
                    )
                continue
            results.extend(PushResult(external_id, "ok") for external_id in pending)
            break
        return results

    @staticmethod
    def _refused(exc: ConnectorError, pending: Mapping[str, tuple[str, dict]]) -> list[str]:
        named = {f"{kind} {value}" for kind, value in _IDENTITY.findall(exc.body or "")}
        return [external_id for external_id, (identity, _) in pending.items() if identity in named]

    # --- orders ----------------------------------------------------------------------------------------
    def orders_fetch_changed(self, *, since: datetime | None, cursor: str | None) -> OrderPage:
        """v2 orders modified at or after ``since``, oldest change first, with their products.

        The first page of each poll also re-activates our hooks BigCommerce deactivated after
        failed deliveries (the orders they missed are in this poll: its ``since`` is older).
        Incomplete orders (status 0) are skipped; without ``since`` (the first sync) the cancelled
        and shipped ones too (no products fetched for them).
        """
        if cursor is None:
            self.hooks_reactivate()
        page = int(cursor or 1)
        params: dict[str, Any] = {"sort": "date_modified:asc", "page": page, "limit": self.orders_page_size}
        if since is not None:
            params["min_date_modified"] = since.astimezone(UTC).isoformat(timespec="seconds")
        rows = self.client.json("GET", "v2/orders", params=params) or []
        if not isinstance(rows, list):
            raise ConnectorError("GET v2/orders: not a list of orders")
        # The first sync (no ``since``) takes the open orders only, like every connector's.
        skipped = (
            {INCOMPLETE} if since is not None else {INCOMPLETE, *CANCELLED_STATUSES, *FULFILLED_STATUSES}
        )
        orders = [
            self.order_snapshot(row) for row in rows if int(row.get("status_id", INCOMPLETE)) not in skipped
        ]
        more = len(rows) >= self.orders_page_size and page < MAX_PAGES * 50
        return OrderPage(orders=orders, next_cursor=str(page + 1) if more else None)

    def order_products(self, order_id: str) -> list[dict[str, Any]]:
        """Every product (line) of an order."""
        lines: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            rows = (
                self.client.json(
                    "GET", f"v2/orders/{order_id}/products", params={"page": page, "limit": LINES_PAGE}
                )
                or []
            )
            lines.extend(rows)
            if len(rows) < LINES_PAGE:
                break
        return lines

    def order_snapshot(self, order: Mapping[str, Any]) -> OrderDTO:
        """Our snapshot of a v2 order (its products fetched)."""
        return order_from_json(order, self.order_products(str(order["id"])))

    # --- webhooks ----------------------------------------------------------------------------------------
    def webhook_verify(self, *, headers: Mapping[str, str], body: bytes) -> None:
        """Our hook header always; the Standard Webhooks signature unless ``require_signature`` is off."""
        creds = self.config.credentials
        hooks.hook_header_check(
            expected=hooks.hook_token(
                access_token=str(creds.get("access_token") or ""), account_id=self.config.account_id
            ),
            headers=headers,
        )
        if self.require_signature:
            hooks.signature_check(
                client_secret=str(creds.get("client_secret") or ""), headers=headers, body=body
            )

    def webhook_parse(self, *, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """A thin order delivery, parsed without calling the store: kind ``fetch`` (stored and
        answered 200 at once; a worker fetches the order with :meth:`webhook_order_fetch`, so the
        store's quota never fails a delivery)."""
        try:
            data = json_loads_bounded(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise WebhookPayloadError("The body is not JSON") from exc
        if not isinstance(data, dict):
            raise WebhookPayloadError("The body is not a JSON object")
        event_id = hooks.delivery_event_id(headers=headers, data=data)
        scope = str(data.get("scope") or "")
        inner = data.get("data") if isinstance(data.get("data"), dict) else {}
        if scope not in hooks.ORDER_SCOPES or inner.get("type") != "order":
            return WebhookEvent(event_id=event_id, topic=scope or "unknown", kind="ignored", payload=data)
        try:
            int(inner["id"])
        except (KeyError, TypeError, ValueError):
            raise WebhookPayloadError("An order delivery without data.id") from None
        return WebhookEvent(event_id=event_id, topic=scope, kind="fetch", payload=data)

    def webhook_order_fetch(self, *, payload: Mapping[str, Any]) -> OrderDTO | None:
        """The order (and its products) a stored delivery names, as the store has it now (a late
        or out-of-order delivery brings nothing older than what the engine applied); None for an
        incomplete order. Waits at most :data:`FETCH_MAX_WAIT` for the quota (RetryableError, or the
        engine's RateLimitTimeout, after: the task retries later)."""
        inner = payload.get("data") if isinstance(payload.get("data"), dict) else {}
        with self.client.pacer.waiting_at_most(FETCH_MAX_WAIT):  # a worker slot is not held long
            order = self.client.json("GET", f"v2/orders/{int(inner['id'])}")
            if not isinstance(order, dict) or int(order.get("status_id", INCOMPLETE)) == INCOMPLETE:
                return None
            return self.order_snapshot(order)

    def webhook_order_key(self, *, payload: Mapping[str, Any]) -> str | None:
        """``data.id``: the created, updated and statusUpdated deliveries of one order share it."""
        inner = payload.get("data") if isinstance(payload.get("data"), dict) else {}
        return str(inner["id"]) if inner.get("id") is not None else None

    def hooks_list(self, **filters: Any) -> list[dict[str, Any]]:
        """Our API account's hooks (BigCommerce shows each API account only its own)."""
        found: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            data = self.client.json("GET", "v3/hooks", params={"page": page, "limit": 250, **filters}) or {}
            found.extend(data.get("data") or [])
            pagination = (data.get("meta") or {}).get("pagination") or {}
            if int(pagination.get("current_page") or page) >= int(pagination.get("total_pages") or 1):
                break
        return found

    def hooks_reactivate(self) -> list[int]:
        """Set ``is_active`` back to true on our order hooks BigCommerce deactivated; their ids."""
        revived = []
        for hook in self.hooks_list(is_active="false"):
            if hook.get("scope") in hooks.ORDER_SCOPES and not hook.get("is_active"):
                self.client.json("PUT", f"v3/hooks/{int(hook['id'])}", json={"is_active": True})
                revived.append(int(hook["id"]))
        if revived:
            logger.warning(
                "BigCommerce account %s: re-activated deactivated hooks %s", self.config.account_id, revived
            )
        return revived

    def webhooks_register(self, *, url: str) -> None:
        """One active hook per order scope to ``url`` with our secret header (kept when present)."""
        token = hooks.hook_token(
            access_token=str(self.config.credentials.get("access_token") or ""),
            account_id=self.config.account_id,
        )
        wanted = {"destination": url, "is_active": True, "headers": {hooks.HOOK_HEADER: token}}
        existing = {h.get("scope"): h for h in self.hooks_list() if h.get("destination") == url}
        for scope in hooks.ORDER_SCOPES:
            hook = existing.get(scope)
            if hook is None:
                self.client.json("POST", "v3/hooks", json={"scope": scope, **wanted})
            elif not hook.get("is_active") or (hook.get("headers") or {}).get(hooks.HOOK_HEADER) != token:
                self.client.json("PUT", f"v3/hooks/{int(hook['id'])}", json=wanted)

    # --- fulfilment ----------------------------------------------------------------------------------
    def fulfilment_push(self, *, fulfilment: FulfilmentDTO) -> None:
        """One v2 shipment per order address of the shipped lines, with carrier and tracking.

        A retry after a lost answer is recognised: when BigCommerce already shows every line
        shipped up to what this fulfilment adds, nothing is sent.
        """
        order_id = str(int(fulfilment.order_external_id))
        shipments = shipments_for(fulfilment=fulfilment, products=self.order_products(order_id))
        for shipment in shipments:
            self.client.json("POST", f"v2/orders/{order_id}/shipments", json=shipment)
