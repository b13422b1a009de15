"""The fake store's state: products, variations, orders, and WooCommerce's own stock rules.

Stock follows WooCommerce core (``wc-stock-functions.php``): entering on-hold, processing or
completed reduces each managed line once (line meta ``_reduced_stock``, order flag), entering
cancelled or pending (and failed, as on current versions; ``restore_on_failed``) puts back what
was reduced and deletes the meta. Only objects with ``manage_stock`` true hold a quantity; a
``"parent"`` variation's stock is its parent's. Every change bumps ``date_modified_gmt``.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

DEDUCTING = ("on-hold", "processing", "completed")
RESTORING = ("cancelled", "pending")
STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "trash")


def gmt(moment: datetime) -> str:
    """WooCommerce's date format (no offset)."""
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()


class OutOfStock(Exception):
    """A buyer asked for more than the store shows."""


class Store:
    """Everything the fake keeps, under one lock. ``on_order_event(topic, order)`` is called for
    each order change (the webhook queue listens)."""

    def __init__(self, *, restore_on_failed: bool = True) -> None:
        self.lock = threading.RLock()
        self.products: dict[int, dict] = {}
        self._sku_index: dict[str, int] = {}  # sku -> id of the last match (checked on use)
        self.orders: dict[int, dict] = {}
        self.notes: dict[int, list[dict]] = {}
        self.trackings: dict[int, list[dict]] = {}
        self.restore_on_failed = restore_on_failed
        self.reduced_flag: set[int] = set()
        self._ids = itertools.count(100)
        self._last = datetime.now(UTC) - timedelta(days=1)
        self.on_order_event: Callable[[str, dict], None] = lambda topic, order: None
        # (time, quantity) of every stock_quantity written through the API, by object id.
        self.push_log: dict[int, list[tuple[float, int]]] = {}

    def next_id(self) -> int:
        return next(self._ids)

    def now(self) -> datetime:
        """Strictly increasing by at least one second (WooCommerce dates have seconds)."""
        moment = max(datetime.now(UTC).replace(microsecond=0), self._last + timedelta(seconds=1))
        self._last = moment
        return moment

    def _stamp(self, item: dict, *, created: bool = False) -> None:
        moment = self.now()
        item["date_modified"] = item["date_modified_gmt"] = gmt(moment)
        if created:
            item["date_created"] = item["date_created_gmt"] = gmt(moment)

    # Catalog ---------------------------------------------------------------------------------

    def product_add(
        self, *, sku: str, quantity: int | None = None, name: str = "", manage_stock: bool = True
    ) -> dict:
        """A simple product; ``manage_stock`` False keeps no quantity."""
        with self.lock:
            product = {
                "id": self.next_id(),
                "name": name or sku,
                "type": "simple",
                "status": "publish",
                "sku": sku,
                "parent_id": 0,
                "variations": [],
                "backorders": "no",
                "manage_stock": manage_stock,
                "stock_quantity": quantity if manage_stock else None,
            }
            self._status(product)
            self._stamp(product, created=True)
            self.products[product["id"]] = product
            return product

    def variable_add(self, *, name: str, variations: list[dict]) -> dict:
        """A variable product with variations ``{"sku", "quantity", "manage_stock", "option"}``."""
        with self.lock:
            parent = {
                "id": self.next_id(),
                "name": name,
                "type": "variable",
                "status": "publish",
                "sku": "",
                "parent_id": 0,
                "variations": [],
                "manage_stock": False,
                "stock_quantity": None,
                "backorders": "no",
            }
            self._status(parent)
            self._stamp(parent, created=True)
            self.products[parent["id"]] = parent
            for spec in variations:
                manage = spec.get("manage_stock", True)
                variation = {
                    "id": self.next_id(),
                    "name": name,
                    "type": "variation",
                    "status": "publish",
                    "sku": spec["sku"],
                    "parent_id": parent["id"],
                    "manage_stock": manage,
                    "stock_quantity": spec.get("quantity") if manage is True else None,
                    "backorders": "no",
                    "attributes": [{"id": 1, "name": "Option", "option": spec.get("option", spec["sku"])}],
                }
                self._status(variation)
                self._stamp(variation, created=True)
                self.products[variation["id"]] = variation
                parent["variations"].append(variation["id"])
            return parent

    def _status(self, item: dict) -> None:
        holder = self.stock_holder(item)
        quantity = holder.get("stock_quantity") if holder else None
        if holder is None or quantity is None:
            item["stock_status"] = item.get("stock_status", "instock")
        else:
            item["stock_status"] = "instock" if quantity > 0 else "outofstock"

    def stock_holder(self, item: dict) -> dict | None:
        """The object whose ``stock_quantity`` counts for ``item`` (None: stock not managed)."""
        if item.get("manage_stock") == "parent":
            parent = self.products.get(item["parent_id"])
            return parent if parent and parent.get("manage_stock") is True else None
        return item if item.get("manage_stock") is True else None

    def by_sku(self, sku: str) -> dict | None:
        known = self.products.get(self._sku_index.get(sku, -1))
        if known is not None and known.get("sku") == sku and known["type"] != "variable":
            return known  # a store's SKU lookup is indexed; a linear scan per read slowed the rush
        for item in self.products.values():
            if item.get("sku") == sku and item["type"] != "variable":
                self._sku_index[sku] = item["id"]
                return item
        return None

    def quantity_set(self, item: dict, quantity: int) -> None:
        """What a ``stock_quantity`` write does: applied only when the object manages stock."""
        import time

        if item.get("manage_stock") is True:
            item["stock_quantity"] = int(quantity)
            self.push_log.setdefault(item["id"], []).append((time.monotonic(), int(quantity)))
        else:
            item["stock_quantity"] = None
        self._status(item)
        self._stamp(item)

    def available(self, sku: str) -> int | None:
        """What a buyer can buy now (None: not limited, stock not managed)."""
        with self.lock:
            item = self.by_sku(sku)
            if item is None:
                return 0
            holder = self.stock_holder(item)
            return None if holder is None else max(int(holder["stock_quantity"] or 0), 0)

    # Orders ----------------------------------------------------------------------------------

    def order_create(self, *, lines: list[dict], status: str = "processing") -> dict:
        """A checkout: ``lines`` = [{"sku", "quantity"}]; 'processing' = paid at once (stock
        reduced), 'pending' = awaiting payment (not reduced). Raises OutOfStock."""
        with self.lock:
            items = []
            for line in lines:
                item = self.by_sku(line["sku"])
                if item is None:
                    raise OutOfStock(line["sku"])
                available = self.available(line["sku"])
                if available is not None and available < int(line["quantity"]):
                    raise OutOfStock(line["sku"])
                items.append((item, int(line["quantity"])))
            order = {
                "id": self.next_id(),
                "status": "pending",
                "currency": "USD",
                "created_via": "checkout",
                "date_paid": None,
                "date_paid_gmt": None,
                "date_completed_gmt": None,
                "billing": {"first_name": "Ada", "last_name": "Buyer", "email": "ada@example.com"},
                "shipping": {
                    "first_name": "Ada",
                    "last_name": "Buyer",
                    "address_1": "1 Main St",
                    "city": "Springfield",
                    "postcode": "12345",
                    "country": "US",
                },
                "line_items": [],
                "meta_data": [],
                "refunds": [],
            }
            order["number"] = str(order["id"])
            total = 0
            for item, quantity in items:
                parent = item["parent_id"] if item["type"] == "variation" else 0
                order["line_items"].append(
                    {
                        "id": self.next_id(),
                        "name": item["name"],
                        "product_id": parent or item["id"],
                        "variation_id": item["id"] if parent else 0,
                        "quantity": quantity,
                        "sku": item["sku"],
                        "price": 10,
                        "subtotal": f"{10 * quantity:.2f}",
                        "total": f"{10 * quantity:.2f}",
                        "meta_data": [],
                    }
                )
                total += 10 * quantity
            order["total"] = f"{total:.2f}"
            self._stamp(order, created=True)
            self.orders[order["id"]] = order
            self.notes[order["id"]] = []
            self.on_order_event("order.created", order)
            if status != "pending":
                self.order_status_set(order, status)
            return order

    def order_status_set(self, order: dict, status: str) -> dict:
        """Move ``order`` to ``status`` with WooCommerce's stock hooks; fires order.updated."""
        with self.lock:
            if status not in STATUSES:
                raise ValueError(status)
            order["status"] = status
            if status in ("processing", "completed") and not order.get("date_paid_gmt"):
                order["date_paid"] = order["date_paid_gmt"] = gmt(self.now())
            if status == "completed":
                order["date_completed_gmt"] = gmt(self.now())
            if status in DEDUCTING:
                self._reduce(order)
            elif status in RESTORING or (status == "failed" and self.restore_on_failed):
                self._restore(order)
            self._stamp(order)
            self.on_order_event("order.updated", order)
            return order

    def _lines_with_stock(self, order: dict):
        for line in order["line_items"]:
            item = self.products.get(line["variation_id"] or line["product_id"])
            holder = self.stock_holder(item) if item else None
            if holder is not None:
                yield line, holder

    def _reduce(self, order: dict) -> None:
        if order["id"] in self.reduced_flag:
            return
        for line, holder in self._lines_with_stock(order):
            if any(m["key"] == "_reduced_stock" for m in line["meta_data"]):
                continue
            holder["stock_quantity"] = int(holder["stock_quantity"] or 0) - line["quantity"]
            self._status(holder)
            self._stamp(holder)
            line["meta_data"].append(
                {
                    "id": self.next_id(),
                    "key": "_reduced_stock",
                    "value": str(line["quantity"]),
                    "display_key": "_reduced_stock",
                    "display_value": str(line["quantity"]),
                }
            )
        self.reduced_flag.add(order["id"])
        self.notes[order["id"]].append(self._note("Stock levels reduced.", customer=False))

    def _restore(self, order: dict) -> None:
        if order["id"] not in self.reduced_flag:
            return
        for line, holder in self._lines_with_stock(order):
            metas = [m for m in line["meta_data"] if m["key"] == "_reduced_stock"]
            for meta in metas:
                holder["stock_quantity"] = int(holder["stock_quantity"] or 0) + int(meta["value"])
                line["meta_data"].remove(meta)
            self._status(holder)
            self._stamp(holder)
        self.reduced_flag.discard(order["id"])
        self.notes[order["id"]].append(self._note("Stock levels increased.", customer=False))

    def _note(self, text: str, *, customer: bool) -> dict:
        moment = gmt(self.now())
        return {
            "id": self.next_id(),
            "author": "system",
            "date_created": moment,
            "date_created_gmt": moment,
            "note": text,
            "customer_note": customer,
        }

    def note_add(self, order: dict, *, note: str, customer: bool) -> dict:
        with self.lock:
            row = self._note(note, customer=customer)
            self.notes[order["id"]].append(row)
            return row

    def order_trash(self, order: dict) -> None:
        """Trash (fires order.deleted with ``{"id"}``); no stock change."""
        with self.lock:
            order["previous_status"], order["status"] = order["status"], "trash"
            self._stamp(order)
            self.on_order_event("order.deleted", order)

    def order_untrash(self, order: dict) -> None:
        """Restore from the trash (fires order.restored)."""
        with self.lock:
            order["status"] = order.pop("previous_status", "pending")
            self._stamp(order)
            self.on_order_event("order.restored", order)
