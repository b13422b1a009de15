"""The Magento 2 / Adobe Commerce connector, registered under kind ``magento`` (see the package
docstring and README). Listings are simple (and virtual) products by SKU, configurable products'
children included; quantities are MSI source items of one source, written so that Magento's
salable quantity equals our figure (``inventory``); orders are polled (Magento Open Source sends
no order webhooks); shipments are created with their tracks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from channels_app.connectors.base import ConfirmsFulfilment, Connector, Throttle
from channels_app.connectors.dto import (
    AccountConfig,
    FulfilmentDTO,
    ListingPage,
    ListingRef,
    OrderPage,
    PushResult,
    QuantityUpdate,
    RateLimit,
)
from channels_app.connectors.errors import ConnectorError, WebhookPayloadError
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.magento.client import MAX_PAGE_SIZE, MagentoClient, last_page_reached
from channels_app.connectors.magento.declared import CREDENTIALS, OPTIONS
from channels_app.connectors.magento.fulfilment import shipment_create
from channels_app.connectors.magento.inventory import Msi
from channels_app.connectors.magento.mapping import (
    OPEN_STATES,
    STOCK_TYPES,
    listing_from_product,
    magento_time_format,
    order_from_json,
)
from channels_app.connectors.magento.pushing import SourceItemWriter
from channels_app.connectors.registry import connector_register


def _cursor_parse(cursor: str | None) -> tuple[int, str]:
    """(page, ids of the previous page) of an orders cursor "<page>:<id,id,...>"."""
    if not cursor:
        return 1, ""
    page, _, ids = cursor.partition(":")
    try:
        return max(int(page), 1), ids
    except ValueError:
        raise ConnectorError(f"Bad Magento cursor {cursor!r}") from None


@connector_register
class MagentoConnector(Connector, ConfirmsFulfilment):
    """Magento 2.4 REST (integration OAuth 1.0a) with MSI source-item pushes."""

    kind = "magento"
    label = "Magento / Adobe Commerce"
    batch_max = 100
    # Magento documents no REST rate limit for integrations; this spaces our calls.
    rate_limit = RateLimit(per_second=10.0, burst=10)
    order_overlap_seconds = 300
    quantity_mode = "set"
    restocks_on_cancel = True
    credentials = CREDENTIALS
    options = OPTIONS

    def __init__(self, *, config: AccountConfig, http: ChannelHttp, throttle: Throttle | None = None):
        super().__init__(config=config, http=http, throttle=throttle)
        options = config.options
        self.client = MagentoClient(http=http, credentials=config.credentials, options=options)
        self.msi = Msi(client=self.client, options=options)
        try:
            self.page_size = min(max(int(options.get("page_size") or 100), 1), MAX_PAGE_SIZE)
            self.writer = SourceItemWriter(client=self.client, msi=self.msi, options=options)
        except (TypeError, ValueError) as exc:
            raise ConnectorError(f"Bad Magento option: {exc}") from None
        self.batch_max = self.writer.batch_max

    @classmethod
    def credentials_problems(
        cls, *, credentials: Mapping[str, str], options: Mapping[str, object]
    ) -> list[str]:
        """OAuth signing needs all four integration values; bearer only the access token."""
        mode = str(options.get("auth") or "oauth")
        needed = [c.name for c in CREDENTIALS if mode in c.modes]
        problems = [f"{name} is required with auth {mode!r}" for name in needed if not credentials.get(name)]
        extra = sorted(set(credentials) - set(needed))
        problems += [f"{name} is not used with auth {mode!r}" for name in extra]
        return problems

    # --- listings and quantities ----------------------------------------------------------------
    def listings_fetch(self, *, cursor: str | None) -> ListingPage:
        """One page of simple and virtual products (configurable products' children included)."""
        page = int(cursor or 1)
        data = self.client.search(
            "products",
            page_size=self.page_size,
            page=page,
            filter_groups=[[("type_id", ",".join(STOCK_TYPES), "in")]],
            sort=[("entity_id", "ASC")],
        )
        items = data["items"]
        try:
            listings = [listing_from_product(item) for item in items]
        except (KeyError, TypeError) as exc:
            raise ConnectorError(f"Malformed Magento product: {exc!r}") from None
        done = last_page_reached(
            page=page, page_size=self.page_size, total_count=int(data.get("total_count") or 0), items=items
        )
        return ListingPage(listings=listings, next_cursor=None if done else str(page + 1))

    def quantities_fetch(self, *, listings: Sequence[ListingRef]) -> dict[str, int]:
        """What a buyer can buy now per SKU (source items of the stock less Magento's reservations)."""
        return self.msi.salable([ref.external_id for ref in listings])

    def quantities_push(self, *, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        """Write source items so that Magento's salable quantity equals each figure (``pushing``)."""
        if len(updates) > self.batch_max:
            raise ConnectorError(f"At most {self.batch_max} quantities per push")
        return self.writer.push(updates)

    # --- orders ---------------------------------------------------------------------------------
    def orders_fetch_changed(self, *, since: datetime | None, cursor: str | None) -> OrderPage:
        """Orders updated at or after ``since`` (None: the open ones), oldest change first.

        Paged with pageSize/currentPage and stopped on ``total_count``; a page whose orders are
        those of the page before (Magento's answer past the last page) ends the poll with nothing.
        """
        page, previous = _cursor_parse(cursor)
        if since is None:
            groups = [[("state", ",".join(OPEN_STATES), "in")]]
        else:
            groups = [[("updated_at", magento_time_format(since), "gteq")]]
        data = self.client.search(
            "orders",
            page_size=self.page_size,
            page=page,
            filter_groups=groups,
            sort=[("updated_at", "ASC"), ("entity_id", "ASC")],
        )
        items = data["items"]
        ids = ",".join(str(item.get("entity_id")) for item in items)
        if items and ids == previous:
            return OrderPage(orders=[], next_cursor=None)
        try:
            orders = [order_from_json(item) for item in items]
        except WebhookPayloadError as exc:
            raise ConnectorError(str(exc)) from None
        done = last_page_reached(
            page=page, page_size=self.page_size, total_count=int(data.get("total_count") or 0), items=items
        )
        return OrderPage(orders=orders, next_cursor=None if done else f"{page + 1}:{ids}")

    # --- fulfilment -----------------------------------------------------------------------------
    def fulfilment_push(self, *, fulfilment: FulfilmentDTO) -> None:
        """POST /V1/order/{id}/ship with the lines and the track (see ``fulfilment``)."""
        carriers: Mapping[str, Any] = dict(self.config.options.get("carrier_codes") or {})
        shipment_create(
            client=self.client,
            fulfilment=fulfilment,
            source_code=self.msi.source_code(),
            carrier_codes=carriers,
        )
