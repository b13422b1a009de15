"""The fake Volusion store's data: products (StockStatus), orders with their details, the
store-wide export cursors, and what buyers and imports do to them. Thread-safe (one lock)."""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

OPEN = "New"
BATCH = 100  # records per unfiltered export call, as Volusion's store-wide cursor hands them out


class OutOfStock(Exception):
    """A buyer asked for more units than the store shows."""


def volusion_date(moment: datetime, tz: ZoneInfo) -> str:
    """``M/D/YYYY h:mm:00 AM|PM`` in the store's time zone (Volusion's recorded format)."""
    local = moment.astimezone(tz)
    hour = local.hour % 12 or 12
    half = "AM" if local.hour < 12 else "PM"
    return f"{local.month}/{local.day}/{local.year} {hour}:{local.minute:02d}:00 {half}"


@dataclass
class Product:
    product_id: int
    code: str
    name: str
    stock: int
    parent_code: str = ""
    no_backorders: bool = True
    modified: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class Detail:
    detail_id: int
    code: str
    product_id: int
    name: str
    quantity: int
    price: str = "10.00"
    qty_shipped: int = 0


@dataclass
class Order:
    order_id: int
    status: str
    created: datetime
    modified: datetime
    details: list[Detail]
    shipped: bool = False
    ship_date: datetime | None = None
    tracking: dict[str, dict] = field(default_factory=dict)  # by tracking number


class VolusionState:
    """Products, orders, credentials and the store-wide export cursors of one fake store."""

    def __init__(
        self,
        *,
        login: str = "api@example.com",
        encrypted_password: str = "",
        time_zone: str = "America/Chicago",
    ) -> None:
        self.lock = threading.RLock()
        self.login = login
        self.encrypted_password = encrypted_password.upper() or secrets.token_hex(32).upper()
        self.tz = ZoneInfo(time_zone)
        self.products: dict[str, Product] = {}
        self.children: dict[str, list[str]] = {}  # parent ProductCode -> child codes (an index)
        self.orders: dict[int, Order] = {}
        # Store-wide cursors: ids already handed out by the unfiltered export of each kind.
        self.exported: dict[str, set[int]] = {"Orders": set(), "Products": set()}
        self._product_ids = itertools.count(1001)
        self._order_ids = itertools.count(1)
        self._detail_ids = itertools.count(1)

    # --- credentials -------------------------------------------------------------------------
    def authorised(self, login: str, password: str) -> bool:
        with self.lock:
            return secrets.compare_digest(login.lower(), self.login.lower()) and secrets.compare_digest(
                password.upper(), self.encrypted_password
            )

    def password_rotate(self) -> str:
        """The admin changed their password: a new EncryptedPassword, the old one stops working."""
        with self.lock:
            self.encrypted_password = secrets.token_hex(32).upper()
            return self.encrypted_password

    # --- catalog and buyers ------------------------------------------------------------------
    def product_add(self, code: str, stock: int, *, name: str = "", parent: str = "") -> Product:
        with self.lock:
            product = Product(next(self._product_ids), code, name or code, stock, parent_code=parent)
            self.products[code] = product
            if parent:
                self.children.setdefault(parent.lower(), []).append(code)
            return product

    def buy(self, code: str, quantity: int = 1) -> Order:
        """A buyer checks out ``quantity`` of ``code``: stock deducted, a New order created."""
        with self.lock:
            product = self.products.get(code)
            if product is None or quantity < 1:
                raise OutOfStock(f"no product {code!r}")
            if product.no_backorders and product.stock < quantity:
                raise OutOfStock(f"{code}: {product.stock} in stock")
            product.stock -= quantity
            product.modified = datetime.now(UTC)
            detail = Detail(next(self._detail_ids), code, product.product_id, product.name, quantity)
            return self._order_add([detail])

    def _order_add(self, details: list[Detail]) -> Order:
        now = datetime.now(UTC)
        order = Order(next(self._order_ids), OPEN, now, now, details)
        self.orders[order.order_id] = order
        return order

    def order_status_set(self, order_id: int, status: str) -> Order:
        """The merchant changes an order's status in the admin (LastModified bumped)."""
        with self.lock:
            order = self.orders[order_id]
            order.status = status
            order.modified = datetime.now(UTC)
            return order

    def quantities(self) -> dict[str, int | None]:
        """What a buyer can buy now per code (None: back orders allowed, no limit)."""
        with self.lock:
            return {c: (max(p.stock, 0) if p.no_backorders else None) for c, p in self.products.items()}

    # --- exports -----------------------------------------------------------------------------
    def cursor_next(self, kind: str) -> list[int]:
        """The next batch of ids of the unfiltered export of ``kind`` ("Orders"/"Products"),
        marked handed out: empty once every record was (until :meth:`cursor_reset`)."""
        with self.lock:
            ids = (
                sorted(self.orders)
                if kind == "Orders"
                else sorted(p.product_id for p in self.products.values())
            )
            batch = [i for i in ids if i not in self.exported[kind]][:BATCH]
            self.exported[kind].update(batch)
            return batch

    def cursor_reset(self, kind: str, *, since: datetime | None = None) -> None:
        """The admin's "Reset Export": records created at or after ``since`` (all when None)
        are handed out again."""
        with self.lock:
            if since is None:
                self.exported[kind].clear()
            elif kind == "Orders":
                self.exported[kind] -= {i for i, o in self.orders.items() if o.created >= since}
            else:
                self.exported[kind].clear()

    # --- imports -----------------------------------------------------------------------------
    def stock_update(self, code: str, *, stock: int | None, no_backorders: bool | None) -> bool:
        with self.lock:
            product = self.products.get(code)
            if product is None:
                return False
            if stock is not None:
                product.stock = stock
            if no_backorders is not None:
                product.no_backorders = no_backorders
            product.modified = datetime.now(UTC)
            return True

    def tracking_add(self, order_id: int, number: str, *, gateway: str, mark_shipped: bool) -> bool:
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                return False
            order.tracking[number] = {"TrackingNumber": number, "Gateway": gateway}
            now = datetime.now(UTC)
            if mark_shipped:
                order.status, order.shipped, order.ship_date = "Shipped", True, now
                for detail in order.details:
                    detail.qty_shipped = detail.quantity
            order.modified = now
            return True
