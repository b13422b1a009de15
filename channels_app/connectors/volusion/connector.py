"""The Volusion connector (protocol in this package's docstring; choices in README.md)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import ClassVar
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.options import Credential, Option
from channels_app.connectors.registry import connector_register
from channels_app.connectors.volusion.client import VolusionClient
from channels_app.connectors.volusion.mapping import (
    listing_from_xml,
    order_from_xml,
    stock_from_xml,
    text,
)

logger = logging.getLogger(__name__)

ORDERS = "Generic\\Orders"
PRODUCTS = "Generic\\Products"
BATCH = 100  # records per unfiltered export call (Volusion's store-wide cursor)
ORDER_COLUMNS = (
    "o.OrderID,o.OrderDate,o.OrderStatus,o.LastModified,o.PaymentAmount,o.Shipped,"
    "o.ShipFirstName,o.ShipLastName,"
    "od.OrderDetailID,od.OrderID,od.ProductCode,od.ProductName,od.Quantity,od.QtyShipped,od.ProductPrice"
)
PRODUCT_COLUMNS = "p.ProductID,p.ProductCode,p.ProductName,p.IsChildOfProductCode,p.StockStatus"
OPEN_STATUSES = [
    "New",
    "Pending",
    "Processing",
    "Payment Declined",
    "Awaiting Payment",
    "Ready To Ship",
    "Pending Shipment",
    "Partially Shipped",
    "Partially Backordered",
    "Backordered",
    "See Line Items",
    "See Order Notes",
    "Cancelled",
]
WALK = "walk"
_HEX = re.compile(r"^[0-9A-Fa-f]+$")


@connector_register
class VolusionConnector(Connector, ConfirmsFulfilment):
    """Volusion V1 XML API: polled orders (store-wide cursor + status exports), absolute
    StockStatus imports confirmed by a re-read, tracking numbers. No webhooks."""

    kind = "volusion"
    label = "Volusion"
    quantity_mode = "set"
    batch_max = 100
    order_overlap_seconds = 900
    rate_limit = RateLimit(per_second=2.0, burst=1)
    # One production integration reports 20,000 calls an hour; we stay under 5 a second.
    rate_limits = {"webservice": RateLimit(per_second=5.0, burst=2)}
    # Appended to the published-quantity explanation (channels_app.selectors.quantities).
    staleness_note: ClassVar[str] = (
        "Volusion's own sales reach us at the next order poll (every {poll} s), so it may sell "
        "units sold elsewhere in that time: buffer {buffer} held back for it"
    )
    credentials = (
        Credential(
            "login",
            "The API administrator's e-mail (the `Login=` of the admin's Volusion API Run URL).",
            secret=False,
        ),
        Credential(
            "encrypted_password",
            "The `EncryptedPassword=` value of that URL (changes with every admin password change).",
        ),
    )
    options = (
        Option(
            "time_zone",
            "str",
            "The store's time zone (IANA name): Volusion's order dates are in store-local time.",
            default="America/Chicago",
        ),
        Option(
            "order_statuses",
            "list",
            "Order statuses read each poll (one filtered export each) besides the store-wide cursor.",
            default=OPEN_STATUSES,
        ),
        Option("batch_max", "int", "Products per Import=Update call.", default=100),
        Option(
            "disallow_backorders",
            "bool",
            "Send DoNotAllowBackOrders=Y with each figure, so Volusion refuses to sell below it.",
            default=True,
        ),
    )

    def __init__(self, *, config: AccountConfig, http: ChannelHttp, throttle: Throttle | None = None):
        super().__init__(config=config, http=http, throttle=throttle)
        options = config.options
        self.batch_max = max(1, min(int(options.get("batch_max", 100)), 1000))
        self.tz = _zone(str(options.get("time_zone", "America/Chicago")))
        self.statuses = [str(s) for s in options.get("order_statuses", OPEN_STATUSES)]
        self.disallow_backorders = bool(options.get("disallow_backorders", True))
        self.client = VolusionClient(
            http=http,
            login=config.credentials.get("login", ""),
            password=config.credentials.get("encrypted_password", "").strip(),
            before_call=lambda: self.throttle("webservice"),
        )

    @classmethod
    def credentials_problems(
        cls, *, credentials: Mapping[str, str], options: Mapping[str, object]
    ) -> list[str]:
        """A login, a hex EncryptedPassword (not the whole URL) and a known time zone."""
        problems = []
        if not credentials.get("login", "").strip():
            problems.append("login: the administrator's e-mail is required")
        password = credentials.get("encrypted_password", "").strip()
        if not _HEX.match(password):
            problems.append(
                "encrypted_password: paste only the hexadecimal value between `EncryptedPassword=` and `&`"
            )
        try:
            _zone(str(options.get("time_zone", "America/Chicago")))
        except ConnectorError as exc:
            problems.append(str(exc))
        return problems

    # --- orders ----------------------------------------------------------------------------------
    def orders_fetch_changed(self, *, since: datetime | None, cursor: str | None) -> OrderPage:
        """First the store-wide cursor (new orders, 100 a call, each batch returned to the engine,
        which stores it before asking for the next), then one filtered export per status in
        ``order_statuses``, keeping orders whose LastModified is at or after ``since`` (minute
        precision). Cursors: ``walk``, then ``status:<n>``."""
        step = cursor or WALK
        if step == WALK:
            records = self.client.export(ORDERS, columns=ORDER_COLUMNS)
            orders = self._orders(records)
            more = len(records) >= BATCH
            return OrderPage(orders=orders, next_cursor=WALK if more else self._status_cursor(0))
        index = _status_index(step)
        if index >= len(self.statuses):
            return OrderPage(orders=[])
        records = self.client.export(
            ORDERS, columns=ORDER_COLUMNS, where=("o.OrderStatus", self.statuses[index])
        )
        floor = since.replace(second=0, microsecond=0) if since is not None else None
        orders = [o for o in self._orders(records) if floor is None or o.updated_at >= floor]
        return OrderPage(orders=orders, next_cursor=self._status_cursor(index + 1))

    def _status_cursor(self, index: int) -> str | None:
        return f"status:{index}" if index < len(self.statuses) else None

    def _orders(self, records: Sequence) -> list:
        orders = []
        for record in records:
            try:
                orders.append(order_from_xml(record, tz=self.tz))
            except ConnectorError as exc:  # one bad record must not lose its batch's others
                logger.warning("volusion account %s: order skipped: %s", self.config.account_id, exc)
        return orders

    # --- listings and quantities -----------------------------------------------------------------
    def listings_fetch(self, *, cursor: str | None) -> ListingPage:
        """The unfiltered Generic\\Products export, 100 products a call (it walks the store's
        products cursor: reset it in Volusion's admin before importing listings again)."""
        records = self.client.export(PRODUCTS, columns=PRODUCT_COLUMNS)
        listings = [listing_from_xml(r) for r in records]
        return ListingPage(listings=listings, next_cursor=WALK if len(records) >= BATCH else None)

    def quantities_fetch(self, *, listings: Sequence[ListingRef]) -> dict[str, int]:
        """StockStatus of each listing by filtered exports (re-usable, cursor untouched): one per
        parent product for variants (``p.IsChildOfProductCode``), one per product otherwise."""
        wanted = {ref.external_id for ref in listings}
        parents = sorted({ref.external_product_id for ref in listings if ref.external_product_id})
        singles = sorted(ref.external_id for ref in listings if not ref.external_product_id)
        found: dict[str, int] = {}
        for column, value in [("p.IsChildOfProductCode", p) for p in parents] + [
            ("p.ProductCode", c) for c in singles
        ]:
            for record in self.client.export(PRODUCTS, columns=PRODUCT_COLUMNS, where=(column, value)):
                code, stock = stock_from_xml(record)
                if code in wanted and stock is not None:
                    found[code] = stock
        return found

    def quantities_push(self, *, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        """One Import=Update of every figure (absolute StockStatus), then a re-read: a product
        that reads back is ``ok`` with the figure read (lower than sent when a buyer took units
        in between); one that does not exist on Volusion is an ``error``."""
        flag = "<DoNotAllowBackOrders>Y</DoNotAllowBackOrders>" if self.disallow_backorders else ""
        rows = "".join(
            f"<Products><ProductCode>{escape(u.listing.external_id)}</ProductCode>"
            f"<StockStatus>{int(u.quantity)}</StockStatus>{flag}</Products>"
            for u in updates
        )
        self.client.import_rows("Update", rows)
        read = self.quantities_fetch(listings=[u.listing for u in updates])
        results = []
        for update in updates:
            code = update.listing.external_id
            if code not in read:
                results.append(
                    PushResult(external_id=code, outcome="error", error=f"No product {code!r} on Volusion")
                )
            else:
                results.append(PushResult(external_id=code, outcome="ok", observed=read[code]))
        return results

    # --- fulfilment ------------------------------------------------------------------------------
    def fulfilment_push(self, *, fulfilment: FulfilmentDTO) -> None:
        """A ``TrackingNumbers`` row (Import=Insert-Update, keyed by order and number, so a
        retry does not add a second) that marks the order shipped once every line is: Volusion
        ships whole orders, so a partial shipment adds its tracking number only."""
        order_id = fulfilment.order_external_id
        records = self.client.export(ORDERS, columns=ORDER_COLUMNS, where=("o.OrderID", order_id))
        if not records:
            raise ConnectorError(f"Volusion has no order {order_id}")
        record = records[0]
        complete = all(
            fulfilment.reported_before.get(text(d, "OrderDetailID"), 0)
            + fulfilment.lines.get(text(d, "OrderDetailID"), 0)
            >= int(text(d, "Quantity") or "0")
            for d in record.findall("OrderDetails")
        )
        if text(record, "OrderStatus").lower() == "shipped" and complete:
            return  # already landed (a retry after a lost answer)
        ship_date = datetime.now(self.tz)
        row = (
            f"<TrackingNumbers><OrderID>{escape(order_id)}</OrderID>"
            f"<TrackingNumber>{escape(fulfilment.tracking_number)}</TrackingNumber>"
            f"<Gateway>{escape(fulfilment.carrier)}</Gateway>"
            f"<ShipDate>{ship_date.month}/{ship_date.day}/{ship_date.year}</ShipDate>"
            f"<MarkOrderShipped>{'true' if complete else 'false'}</MarkOrderShipped>"
            "<SendShippedEmail>false</SendShippedEmail></TrackingNumbers>"
        )
        self.client.import_rows("Insert-Update", row)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConnectorError(f"time_zone: {name!r} is not a known time zone (e.g. America/Chicago)") from None


def _status_index(cursor: str) -> int:
    prefix, _, number = cursor.partition(":")
    if prefix != "status" or not number.isdigit():
        raise ConnectorError(f"Unknown Volusion order cursor {cursor!r}")
    return int(number)
