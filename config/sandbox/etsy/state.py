"""The fake Etsy shop's data: listings with their inventories, receipts, and Etsy's inventory rules.

Inventory rules (updateListingInventory, as Etsy documents and developers observed them):
the PUT replaces the whole inventory: every product and offering not sent is deleted (kept with
``is_deleted`` for ``show_deleted=true``) and the sent ones get new product and offering ids;
``price`` must be a number (a Money object or null: 400 "Expected float value for 'price'");
``readiness_state_id`` must be present (current spec, nullable); quantities 0..999; products that
share a quantity group (same values of the ``quantity_on_property`` properties; every product
when it is empty) must carry the same quantity, and likewise price and SKU; an inventory whose
every enabled offering is 0 is refused ("One offering must have quantity greater than 0").
A purchase deducts its product's whole quantity group; a listing left with nothing is ``sold_out``.
"""

from __future__ import annotations

import copy
import itertools
import threading
from decimal import Decimal
from typing import Any

PRODUCT_KEYS = {"sku", "property_values", "offerings"}
OFFERING_KEYS = {"price", "quantity", "is_enabled", "readiness_state_id"}
PROPERTY_KEYS = {"property_id", "property_name", "scale_id", "value_ids", "values"}
ON_PROPERTY = ("price_on_property", "quantity_on_property", "sku_on_property", "readiness_state_on_property")
LISTING_STATES = ("active", "inactive", "sold_out", "draft", "expired")


class InventoryError(ValueError):
    """A PUT Etsy refuses with 400 and this message."""


class OutOfStock(Exception):
    """A buyer asked for more than the store shows."""


def _group_key(product: dict, varying: set[int]) -> tuple:
    return tuple(
        sorted(
            (int(v["property_id"]), tuple(v.get("value_ids") or ()))
            for v in product.get("property_values") or []
            if v.get("property_id") in varying
        )
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_product(product: Any) -> None:
    if not isinstance(product, dict):
        raise InventoryError("Each product must be an object")
    extra = set(product) - PRODUCT_KEYS
    if extra:
        raise InventoryError(f"Unexpected product field(s): {', '.join(sorted(extra))}")
    offerings = product.get("offerings")
    if not isinstance(offerings, list) or not offerings:
        raise InventoryError("Each product must have at least one offering")
    for value in product.get("property_values") or []:
        if not isinstance(value, dict) or set(value) - PROPERTY_KEYS:
            raise InventoryError("Unexpected property_values field")
        if not isinstance(value.get("property_id"), int) or not isinstance(value.get("value_ids"), list):
            raise InventoryError("property_values need property_id and value_ids")
        if not isinstance(value.get("values"), list):
            raise InventoryError("property_values need values")
    for offering in offerings:
        if not isinstance(offering, dict) or set(offering) - OFFERING_KEYS:
            raise InventoryError("Unexpected offering field")
        price = offering.get("price")
        if not _is_number(price):
            shown = "NULL" if price is None else type(price).__name__
            raise InventoryError(f"Expected float value for 'price' (got {shown}).")
        if price <= 0:
            raise InventoryError("price must be greater than 0")
        quantity = offering.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= 999:
            raise InventoryError("quantity must be an integer between 0 and 999")
        if not isinstance(offering.get("is_enabled"), bool):
            raise InventoryError("is_enabled must be a boolean")
        if "readiness_state_id" not in offering:
            raise InventoryError("readiness_state_id is required")


def inventory_check(body: Any) -> None:
    """Raise InventoryError unless ``body`` is a PUT Etsy accepts (see the module)."""
    if not isinstance(body, dict) or not isinstance(body.get("products"), list) or not body["products"]:
        raise InventoryError("products is required")
    for product in body["products"]:
        _check_product(product)
    for key in ON_PROPERTY:
        if key in body and not (isinstance(body[key], list) and all(isinstance(v, int) for v in body[key])):
            raise InventoryError(f"{key} must be an array of property ids")
    checks = (
        ("quantity_on_property", "quantity", lambda p: [o["quantity"] for o in p["offerings"]]),
        (
            "price_on_property",
            "price",
            lambda p: [round(Decimal(str(o["price"])), 2) for o in p["offerings"]],
        ),
        ("sku_on_property", "sku", lambda p: [p.get("sku") or ""]),
    )
    for key, what, value in checks:
        varying = set(body.get(key) or [])
        seen: dict[tuple, list] = {}
        for product in body["products"]:
            group = _group_key(product, varying)
            if seen.setdefault(group, value(product)) != value(product):
                raise InventoryError(f"{key}: products that do not vary on it must have the same {what}")
    if not any(o["quantity"] > 0 for p in body["products"] for o in p["offerings"] if o["is_enabled"]):
        raise InventoryError("One offering must have quantity greater than 0")


class ShopState:
    """Listings and receipts of the one fake shop (thread-safe through ``lock``)."""

    def __init__(self, *, shop_id: int, user_id: int, clock) -> None:
        self.shop_id = shop_id
        self.user_id = user_id
        self.clock = clock
        self.lock = threading.RLock()
        self.listings: dict[int, dict[str, Any]] = {}
        self.receipts: dict[int, dict[str, Any]] = {}
        self._ids = itertools.count(1_000_000_001)
        self.busy: set[int] = set()

    def _id(self) -> int:
        return next(self._ids)

    def _stamp(self) -> int:
        return int(self.clock())

    # --- listings -------------------------------------------------------------------------------
    def _stored_products(self, products: list[dict]) -> list[dict]:
        stored = []
        for product in products:
            stored.append(
                {
                    "product_id": self._id(),
                    "sku": product.get("sku") or "",
                    "is_deleted": False,
                    "offerings": [
                        {
                            "offering_id": self._id(),
                            "quantity": int(o["quantity"]),
                            "is_enabled": bool(o.get("is_enabled", True)),
                            "is_deleted": False,
                            "price": {
                                "amount": round(Decimal(str(o["price"])) * 100),
                                "divisor": 100,
                                "currency_code": "USD",
                            },
                            "readiness_state_id": o.get("readiness_state_id"),
                        }
                        for o in product["offerings"]
                    ],
                    "property_values": [
                        {
                            "property_id": v["property_id"],
                            "property_name": v.get("property_name"),
                            "scale_id": v.get("scale_id"),
                            "scale_name": None,
                            "value_ids": list(v["value_ids"]),
                            "values": list(v["values"]),
                        }
                        for v in product.get("property_values") or []
                    ],
                }
            )
        return stored

    def listing_add(self, *, title: str, inventory: dict[str, Any], state: str = "active") -> int:
        """Add a listing with ``inventory`` in the PUT shape (checked as a PUT is)."""
        inventory_check(inventory)
        with self.lock:
            listing_id = self._id()
            self.listings[listing_id] = {
                "listing_id": listing_id,
                "shop_id": self.shop_id,
                "user_id": self.user_id,
                "title": title,
                "state": state,
                "products": self._stored_products(inventory["products"]),
                **{key: list(inventory.get(key) or []) for key in ON_PROPERTY},
                "last_modified_timestamp": self._stamp(),
            }
            return listing_id

    def inventory(self, listing_id: int, *, show_deleted: bool = False) -> dict[str, Any]:
        """The ListingInventory of a listing (GET shape)."""
        listing = self.listings[listing_id]
        products = copy.deepcopy([p for p in listing["products"] if show_deleted or not p["is_deleted"]])
        return {
            "products": [
                {**p, "offerings": [o for o in p["offerings"] if show_deleted or not o["is_deleted"]]}
                for p in products
            ],
            **{key: list(listing[key]) for key in ON_PROPERTY},
        }

    def shop_listing(self, listing_id: int, *, with_inventory: bool) -> dict[str, Any]:
        """A ShopListing."""
        listing = self.listings[listing_id]
        live = [p for p in listing["products"] if not p["is_deleted"]]
        data = {
            "listing_id": listing_id,
            "shop_id": self.shop_id,
            "user_id": self.user_id,
            "title": listing["title"],
            "state": listing["state"],
            "quantity": sum(o["quantity"] for p in live for o in p["offerings"] if o["is_enabled"]),
            "has_variations": len(live) > 1,
            "skus": sorted({p["sku"] for p in live if p["sku"]}),
            "last_modified_timestamp": listing["last_modified_timestamp"],
            "updated_timestamp": listing["last_modified_timestamp"],
        }
        if with_inventory:
            data["inventory"] = self.inventory(listing_id)
        return data

    def inventory_replace(self, listing_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """updateListingInventory: check, then replace everything (see the module)."""
        inventory_check(body)
        with self.lock:
            listing = self.listings[listing_id]
            for product in listing["products"]:
                product["is_deleted"] = True
                for offering in product["offerings"]:
                    offering["is_deleted"] = True
            listing["products"].extend(self._stored_products(body["products"]))
            for key in ON_PROPERTY:
                if key in body:
                    listing[key] = list(body[key])
            listing["last_modified_timestamp"] = self._stamp()
            return self.inventory(listing_id)

    def live_products(self, listing_id: int) -> list[dict]:
        return [p for p in self.listings[listing_id]["products"] if not p["is_deleted"]]

    def _group(self, listing_id: int, product: dict) -> list[dict]:
        varying = set(self.listings[listing_id]["quantity_on_property"])
        key = _group_key(product, varying)
        return [p for p in self.live_products(listing_id) if _group_key(p, varying) == key]

    def buyable(self) -> dict[str, int]:
        """What a buyer can buy now per SKU (the largest offering of an active listing)."""
        found: dict[str, int] = {}
        with self.lock:
            for listing_id, listing in self.listings.items():
                for product in self.live_products(listing_id):
                    if not product["sku"]:
                        continue
                    shown = max((o["quantity"] for o in product["offerings"] if o["is_enabled"]), default=0)
                    if listing["state"] != "active":
                        shown = 0
                    found[product["sku"]] = max(found.get(product["sku"], 0), shown)
        return found

    def buy(self, *, sku: str, quantity: int) -> int:
        """A buyer's checkout of ``quantity`` of ``sku``: stock deducted, a paid receipt made."""
        if quantity < 1:
            raise OutOfStock("quantity must be positive")
        with self.lock:
            for listing_id, listing in self.listings.items():
                if listing["state"] != "active":
                    continue
                for product in self.live_products(listing_id):
                    offering = next((o for o in product["offerings"] if o["is_enabled"]), None)
                    if product["sku"] != sku or offering is None or offering["quantity"] < quantity:
                        continue
                    for member in self._group(listing_id, product):
                        for other in member["offerings"]:
                            other["quantity"] = max(other["quantity"] - quantity, 0)
                    live = self.live_products(listing_id)
                    if not any(o["quantity"] > 0 for p in live for o in p["offerings"] if o["is_enabled"]):
                        listing["state"] = "sold_out"
                    listing["last_modified_timestamp"] = self._stamp()
                    return self._receipt(listing_id, product, offering, quantity)
        raise OutOfStock(f"{sku}: not {quantity} available")

    def _receipt(self, listing_id: int, product: dict, offering: dict, quantity: int) -> int:
        now = self._stamp()
        receipt_id = self._id()
        price = offering["price"]
        self.receipts[receipt_id] = {
            "receipt_id": receipt_id,
            "receipt_type": 0,
            "seller_user_id": self.user_id,
            "buyer_user_id": 222,
            "name": "Fake Buyer",
            "status": "paid",
            "is_paid": True,
            "is_shipped": False,
            "create_timestamp": now,
            "created_timestamp": now,
            "update_timestamp": now,
            "updated_timestamp": now,
            "grandtotal": {**price, "amount": price["amount"] * quantity},
            "shipments": [],
            "refunds": [],
            "transactions": [
                {
                    "transaction_id": self._id(),
                    "title": self.listings[listing_id]["title"],
                    "receipt_id": receipt_id,
                    "listing_id": listing_id,
                    "product_id": product["product_id"],
                    "sku": product["sku"],
                    "quantity": quantity,
                    "price": dict(price),
                    "paid_timestamp": now,
                    "shipped_timestamp": None,
                    "is_digital": False,
                    "variations": [],
                }
            ],
        }
        return receipt_id

    def receipt_cancel(self, receipt_id: int) -> None:
        """The seller cancels a receipt in Shop Manager (stock is not given back)."""
        with self.lock:
            receipt = self.receipts[receipt_id]
            receipt["status"] = "canceled"
            receipt["update_timestamp"] = receipt["updated_timestamp"] = self._stamp()

    def receipt_ship(self, receipt_id: int, *, tracking_code: str, carrier_name: str) -> dict[str, Any]:
        """createReceiptShipment."""
        with self.lock:
            receipt = self.receipts[receipt_id]
            now = self._stamp()
            receipt["shipments"].append(
                {
                    "receipt_shipping_id": self._id(),
                    "shipment_notification_timestamp": now,
                    "carrier_name": carrier_name,
                    "tracking_code": tracking_code,
                }
            )
            receipt["is_shipped"] = True
            receipt["status"] = "completed"
            receipt["update_timestamp"] = receipt["updated_timestamp"] = now
            for item in receipt["transactions"]:
                item["shipped_timestamp"] = now
            return receipt
