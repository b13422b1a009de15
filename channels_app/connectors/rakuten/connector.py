"""The Rakuten France connector (protocol in this package's docstring)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

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
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.options import Credential, Option
from channels_app.connectors.rakuten import tasks  # noqa: F401 (registers the sales-answer tasks)
from channels_app.connectors.rakuten.client import RakutenClient
from channels_app.connectors.rakuten.mapping import (
    advert_to_listing,
    export_adverts,
    next_token,
    sale_to_order,
    sales_of,
)
from channels_app.connectors.rakuten.pushing import QuantityPusher
from channels_app.connectors.rakuten.shipping import fulfilment_send
from channels_app.connectors.registry import connector_register

CURRENT = "current:"  # cursor prefix of the getcurrentsales pages (after getnewsales)
FILES_PER_HOUR_MAX = 10
FILE_MAX_ITEMS = 10_000
SHORT_STOCK_RULES = ("refuse", "accept_and_flag")
EXPORT_REUSE_SECONDS = 60.0
REQUESTS_PER_SECOND_MAX = 10.0
EXPORT_MAX_PAGES = 10_000


@connector_register
class RakutenConnector(Connector, ConfirmsFulfilment):
    """Rakuten France (ex-PriceMinister): polled sales, stock by import file, tracking."""

    kind = "rakuten"
    label = "Rakuten France"
    quantity_mode = "set"
    batch_max = FILE_MAX_ITEMS
    rate_limit = RateLimit(per_second=1.0, burst=2)
    # The ceiling of the per-request bucket; the account's `requests_per_second` paces below it.
    rate_limits = {"request": RateLimit(per_second=REQUESTS_PER_SECOND_MAX, burst=2)}
    order_overlap_seconds = 0  # each poll re-reads every new sale and the current sales' pages
    restocks_on_cancel = True
    credentials = (
        Credential("login", "The seller's Rakuten login (sent as `login`).", secret=False),
        Credential(
            "token",
            "The API token from Mon compte > Mes informations développeur (sent as `pwd`; not the password).",
        ),
    )
    options = (
        Option(
            "short_stock_rule",
            "str",
            "A new sale we cannot fully reserve: refuse it (refusesale) or accept it and flag the order.",
            default="refuse",
            choices=SHORT_STOCK_RULES,
        ),
        Option("files_per_hour", "int", "Stock files per rolling hour (Rakuten: at most 10).", default=10),
        Option(
            "file_window_seconds",
            "float",
            "Seconds between two stock files (changes accumulate; a zero goes at once if the hour has room).",
            default=360.0,
        ),
        Option(
            "file_max_items",
            "int",
            "Listings per stock file (the rest waits for the next file).",
            default=10_000,
        ),
        Option(
            "report_check_seconds",
            "float",
            "Seconds between two reads of a file's import report.",
            default=120.0,
        ),
        Option("current_sales_max_pages", "int", "getcurrentsales pages read per poll.", default=20),
        Option(
            "requests_per_second",
            "float",
            "Requests per second to Rakuten, every call of the account together (at most 10).",
            default=1.0,
        ),
    )

    def __init__(self, *, config: AccountConfig, http: ChannelHttp, throttle: Throttle | None = None):
        super().__init__(config=config, http=http, throttle=throttle)
        options = config.options
        rate = min(max(float(options.get("requests_per_second", 1.0)), 0.01), REQUESTS_PER_SECOND_MAX)
        self.rate_limit = RateLimit(per_second=rate, burst=2)
        self.client = RakutenClient(
            http=http,
            login=str(config.credentials.get("login", "")),
            token=str(config.credentials.get("token", "")),
            throttle=self.throttle,
            per_second=rate,
        )
        self.short_stock_rule = str(options.get("short_stock_rule", "refuse"))
        self._export: tuple[float, dict[str, int]] | None = None
        self.current_max_pages = max(int(options.get("current_sales_max_pages", 20)), 1)
        self.pusher = QuantityPusher(
            client=self.client,
            account_id=config.account_id,
            files_per_hour=min(max(int(options.get("files_per_hour", 10)), 1), FILES_PER_HOUR_MAX),
            window_seconds=max(float(options.get("file_window_seconds", 360.0)), 0.0),
            file_max=min(max(int(options.get("file_max_items", FILE_MAX_ITEMS)), 1), FILE_MAX_ITEMS),
            report_seconds=max(float(options.get("report_check_seconds", 120.0)), 0.0),
        )

    # Orders -----------------------------------------------------------------------------------

    def new_sales(self) -> list[Element]:
        """The sales awaiting acceptance now (getnewsales: every one, no paging)."""
        return sales_of(self.client.call("getnewsales"))

    def orders_fetch_changed(self, *, since: datetime | None, cursor: str | None) -> OrderPage:
        """First page: every sale awaiting acceptance (getnewsales); then the pages of
        getcurrentsales (``nexttoken``), at most ``current_sales_max_pages`` of them."""
        now = datetime.now(UTC)
        if cursor is None:
            orders = [sale_to_order(sale, fallback_time=now) for sale in self.new_sales()]
            return OrderPage(orders=orders, next_cursor=f"{CURRENT}0:")
        page, _, token = cursor.removeprefix(CURRENT).partition(":")
        params = {"nexttoken": token} if token else {}
        root = self.client.call("getcurrentsales", params)
        orders = [sale_to_order(sale, fallback_time=now) for sale in sales_of(root)]
        following = next_token(root)
        more = following and int(page or 0) + 1 < self.current_max_pages
        return OrderPage(
            orders=orders, next_cursor=f"{CURRENT}{int(page or 0) + 1}:{following}" if more else None
        )

    def sale_answer(self, *, item_id: str, accept: bool) -> None:
        """acceptsale or refusesale for one item. Raises Retryable/ConnectorError."""
        self.client.call("acceptsale" if accept else "refusesale", {"itemid": item_id})

    # Listings and quantities ------------------------------------------------------------------

    def listings_fetch(self, *, cursor: str | None) -> ListingPage:
        """One page of the inventory export (stock_ws export), adverts keyed by sellerReference."""
        root = self.client.call("export", {"nexttoken": cursor} if cursor else {})
        listings = [dto for dto in (advert_to_listing(a) for a in export_adverts(root)) if dto is not None]
        return ListingPage(listings=listings, next_cursor=next_token(root) or None)

    def quantities_fetch(self, *, listings: Sequence[ListingRef]) -> dict[str, int]:
        """Live quantities, from one read of the whole inventory export (every page), kept
        ``EXPORT_REUSE_SECONDS`` so that a reconciliation's batches read it once."""
        now = time.monotonic()
        if self._export is None or now - self._export[0] > EXPORT_REUSE_SECONDS:
            figures: dict[str, int] = {}
            cursor: str | None = None
            for _ in range(EXPORT_MAX_PAGES):
                page = self.listings_fetch(cursor=cursor)
                figures.update({d.external_id: d.quantity for d in page.listings if d.quantity is not None})
                cursor = page.next_cursor
                if not cursor:
                    break
            self._export = (now, figures)
        figures = self._export[1]
        return {ref.external_id: figures[ref.external_id] for ref in listings if ref.external_id in figures}

    def quantities_push(self, *, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        """One stock file per window (see ``pushing``); results ok, error, pending or deferred."""
        return self.pusher.push(updates=updates)

    # Fulfilment -------------------------------------------------------------------------------

    def fulfilment_push(self, *, fulfilment: FulfilmentDTO) -> None:
        fulfilment_send(client=self.client, fulfilment=fulfilment)
