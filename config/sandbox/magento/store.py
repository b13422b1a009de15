"""The fake store's data and Magento's inventory rules: products, MSI sources, stocks and their
links, source items, reservations (an order places ``-qty``; a shipment or cancellation
compensates ``+qty``; a shipment also deducts its source), orders and bulk operations.

Salable quantity of a SKU on a stock = sum of the quantities of its in-stock (status 1) source
items at the stock's enabled sources + the sum of its reservations on that stock (never below 0).
Modes: ``multi`` (several sources), ``single`` (only ``default``), ``absent`` (no MSI modules:
every /V1/inventory route is missing).
"""

from __future__ import annotations

import itertools
import threading
import uuid
from datetime import UTC, datetime
from typing import Any


class OutOfStock(Exception):
    """A buyer asked for more than the store shows salable."""


NOT_ALLOWED = "Shipment Document Validation Error(s):\nThe order does not allow a shipment to be created."
NO_PRODUCTS = "Shipment Document Validation Error(s):\nYou can't create a shipment without products."
BULK_DONE = (
    "Service execution success Magento\\Inventory\\Model\\SourceItem\\Command\\SourceItemsSave::execute"
)


class ShipRefused(Exception):
    """Magento refused the shipment (message as its error body says)."""


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


class Store:
    def __init__(self, *, mode: str = "multi") -> None:
        if mode not in ("multi", "single", "absent"):
            raise ValueError(mode)
        self.mode = mode
        self.lock = threading.RLock()
        self.products: dict[str, dict[str, Any]] = {}
        self.sources: dict[str, dict[str, Any]] = {}
        self.stocks: dict[int, dict[str, Any]] = {}
        self.links: list[dict[str, Any]] = []
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.reservations: list[dict[str, Any]] = []
        self.orders: dict[int, dict[str, Any]] = {}
        self.bulks: dict[str, dict[str, Any]] = {}
        self.sales_stock = 1  # the stock of the website buyers use
        self._ids = itertools.count(1)
        self._item_ids = itertools.count(1)
        self._shipments = itertools.count(1)
        self.source_add("default", "Default Source")
        self.stock_add(1, "Default Stock", sources=["default"])

    # --- catalog and MSI --------------------------------------------------------------------------
    def product_add(
        self, sku: str, *, name: str = "", type_id: str = "simple", children: list[str] = ()
    ) -> dict:
        with self.lock:
            pid = next(self._ids)
            product = {
                "id": pid,
                "sku": sku,
                "name": name or sku,
                "attribute_set_id": 4,
                "price": 10,
                "status": 1,
                "visibility": 4,
                "type_id": type_id,
                "created_at": now_text(),
                "updated_at": now_text(),
                "extension_attributes": {"website_ids": [1]},
            }
            if type_id == "configurable":
                product["extension_attributes"]["configurable_product_links"] = [
                    self.products[c]["id"] for c in children
                ]
            self.products[sku] = product
            return product

    def source_add(self, code: str, name: str, *, enabled: bool = True) -> None:
        self.sources[code] = {
            "source_code": code,
            "name": name,
            "enabled": enabled,
            "country_id": "US",
            "postcode": "00000",
            "use_default_carrier_config": True,
            "carrier_links": [],
        }

    def stock_add(self, stock_id: int, name: str, *, sources: list[str]) -> None:
        self.stocks[stock_id] = {
            "stock_id": stock_id,
            "name": name,
            "extension_attributes": {
                "sales_channels": [{"type": "website", "code": "base"}] if stock_id == 1 else []
            },
        }
        self.links = [link for link in self.links if link["stock_id"] != stock_id]
        self.links += [
            {"stock_id": stock_id, "source_code": s, "priority": i + 1} for i, s in enumerate(sources)
        ]

    def source_item_set(self, sku: str, source_code: str, quantity: float, status: int | None = None) -> None:
        with self.lock:
            status = (1 if quantity > 0 else 0) if status is None else status
            self.items[(sku, source_code)] = {
                "sku": sku,
                "source_code": source_code,
                "quantity": float(quantity),
                "status": int(status),
            }

    def source_quantity(self, sku: str, source_code: str) -> float | None:
        item = self.items.get((sku, source_code))
        return None if item is None else item["quantity"]

    def reserved(self, sku: str, stock_id: int | None = None) -> int:
        stock = self.sales_stock if stock_id is None else stock_id
        return -int(
            sum(r["quantity"] for r in self.reservations if r["sku"] == sku and r["stock_id"] == stock)
        )

    def salable(self, sku: str, stock_id: int | None = None) -> int:
        stock = self.sales_stock if stock_id is None else stock_id
        with self.lock:
            linked = {link["source_code"] for link in self.links if link["stock_id"] == stock}
            on_sources = 0.0
            for code in linked:
                item = self.items.get((sku, code))
                if item is not None and item["status"] == 1 and self.sources[code]["enabled"]:
                    on_sources += item["quantity"]
            return max(0, int(on_sources) - self.reserved(sku, stock))

    def _reserve(self, *, sku: str, quantity: int, event: str, order_id: int) -> None:
        self.reservations.append(
            {
                "reservation_id": len(self.reservations) + 1,
                "stock_id": self.sales_stock,
                "sku": sku,
                "quantity": quantity,
                "metadata": {"event_type": event, "object_type": "order", "object_id": str(order_id)},
            }
        )

    # --- orders -----------------------------------------------------------------------------------
    def buy(self, sku: str, quantity: int, *, configurable_parent: str | None = None) -> dict:
        """A buyer checks out ``quantity`` of ``sku``: order (state new) and its reservation."""
        with self.lock:
            if sku not in self.products or self.salable(sku) < quantity or quantity <= 0:
                raise OutOfStock(sku)
            oid = next(self._ids)
            stamp = now_text()
            product = self.products[sku]
            row = {
                "item_id": next(self._item_ids),
                "order_id": oid,
                "sku": sku,
                "name": product["name"],
                "product_id": product["id"],
                "product_type": "simple",
                "qty_ordered": quantity,
                "qty_shipped": 0,
                "qty_canceled": 0,
                "qty_refunded": 0,
                "qty_invoiced": 0,
                "price": product["price"],
                "row_total": product["price"] * quantity,
                "is_virtual": 0,
                "created_at": stamp,
                "updated_at": stamp,
            }
            items = [row]
            if configurable_parent:
                parent = dict(
                    row,
                    item_id=next(self._item_ids),
                    product_type="configurable",
                    product_id=self.products[configurable_parent]["id"],
                )
                row.update(parent_item_id=parent["item_id"], price=0, row_total=0)
                items = [parent, row]
            order = {
                "entity_id": oid,
                "increment_id": f"{oid:09d}",
                "state": "new",
                "status": "pending",
                "store_id": 1,
                "created_at": stamp,
                "updated_at": stamp,
                "customer_email": "buyer@example.com",
                "customer_firstname": "Test",
                "customer_lastname": "Buyer",
                "order_currency_code": "USD",
                "grand_total": row["row_total"] or product["price"] * quantity,
                "total_qty_ordered": quantity,
                "items": items,
                "extension_attributes": {"shipping_assignments": []},
            }
            self.orders[oid] = order
            self._reserve(sku=sku, quantity=-quantity, event="order_placed", order_id=oid)
            return order

    def order_touch(self, order_id: int, **changes: Any) -> None:
        with self.lock:
            self.orders[order_id].update(changes, updated_at=now_text())

    def order_cancel(self, order_id: int) -> None:
        with self.lock:
            order = self.orders[order_id]
            for row in order["items"]:
                left = row["qty_ordered"] - row["qty_shipped"] - row["qty_canceled"]
                if left > 0 and row["product_type"] == "simple":
                    self._reserve(sku=row["sku"], quantity=left, event="order_canceled", order_id=order_id)
                row["qty_canceled"] += max(left, 0)
            self.order_touch(order_id, state="canceled", status="canceled")

    def ship(
        self, order_id: int, *, items: list[dict] | None, source_code: str | None, tracks: list[dict]
    ) -> int:
        """Create a shipment: deduct the source, compensate the reservation; complete when all shipped."""
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                raise KeyError(order_id)
            if order["state"] in ("canceled", "closed", "complete", "holded"):
                raise ShipRefused(NOT_ALLOWED)
            rows = {row["item_id"]: row for row in order["items"]}
            wanted = (
                {int(i["order_item_id"]): float(i["qty"]) for i in items}
                if items
                else {
                    r["item_id"]: r["qty_ordered"] - r["qty_shipped"] - r["qty_canceled"]
                    for r in order["items"]
                    if not r.get("parent_item_id")
                }
            )
            source = source_code or ("default" if self.mode != "multi" else None)
            if source is None:
                raise ShipRefused("The shipment couldn't be saved.")
            moves: list[tuple[dict, float]] = []
            for item_id, qty in wanted.items():
                row = rows.get(item_id)
                if row is None or row.get("parent_item_id"):
                    raise ShipRefused(NO_PRODUCTS)
                if qty > row["qty_ordered"] - row["qty_shipped"] - row["qty_canceled"]:
                    raise ShipRefused(NOT_ALLOWED)
                leaf = next((r for r in order["items"] if r.get("parent_item_id") == item_id), row)
                moves.append((row, qty))
                if leaf is not row:
                    moves.append((leaf, qty))
            for row, qty in moves:
                if row["product_type"] != "simple":
                    row["qty_shipped"] += qty
                    continue
                have = self.source_quantity(row["sku"], source) or 0
                if have < qty:
                    raise ShipRefused("The shipment couldn't be saved.")
            for row, qty in moves:
                if row["product_type"] == "simple":
                    item = self.items[(row["sku"], source)]
                    item["quantity"] -= qty
                    self._reserve(
                        sku=row["sku"], quantity=int(qty), event="shipment_created", order_id=order_id
                    )
                    row["qty_shipped"] += qty
            shipment_id = next(self._shipments)
            order.setdefault("tracks", []).extend(dict(t, parent_id=shipment_id) for t in tracks)
            done = all(r["qty_shipped"] + r["qty_canceled"] >= r["qty_ordered"] for r in order["items"])
            self.order_touch(
                order_id,
                **(
                    {"state": "complete", "status": "complete"}
                    if done
                    else {"state": "processing", "status": "processing"}
                ),
            )
            return shipment_id

    # --- bulk -------------------------------------------------------------------------------------
    def bulk_add(self, bodies: list[dict]) -> dict:
        bulk_id = str(uuid.uuid4())
        with self.lock:
            self.bulks[bulk_id] = {
                "bodies": bodies,
                "start_time": now_text(),
                "operations": [
                    {"id": i + 1, "status": 4, "result_message": None, "error_code": None}
                    for i in range(len(bodies))
                ],
            }
        return {
            "bulk_uuid": bulk_id,
            "request_items": [{"id": i, "data_hash": None, "status": "accepted"} for i in range(len(bodies))],
            "errors": False,
        }

    def bulk_run(self) -> int:
        """The async.operations.all consumer: process every open operation; return how many."""
        done = 0
        with self.lock:
            for bulk in self.bulks.values():
                for op, body in zip(bulk["operations"], bulk["bodies"], strict=True):
                    if op["status"] != 4:
                        continue
                    for item in body.get("sourceItems") or []:
                        self.source_item_set(
                            item["sku"], item["source_code"], item.get("quantity", 0), item.get("status")
                        )
                    op.update(
                        status=1,
                        result_message=BULK_DONE,
                    )
                    done += 1
        return done
