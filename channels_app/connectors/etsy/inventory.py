"""A listing's inventory as updateListingInventory takes it back, with only our SKUs changed.

``PUT /v3/application/listings/{listing_id}/inventory`` replaces the listing's whole inventory: a
product or offering left out is deleted, and prices, properties and SKUs are set to what is sent.
So a push reads the inventory (``GET``), copies it into the PUT shape exactly (:func:`put_body`:
every live product with its ``sku``, ``property_values`` (``property_id, property_name, scale_id,
value_ids, values``) and offerings (``price`` as the decimal amount/divisor, ``quantity``,
``is_enabled``, ``readiness_state_id``), and the four ``*_on_property`` arrays as they were;
dropped: ``product_id``, ``offering_id``, ``is_deleted``, ``scale_name``, which the PUT does not
take) and changes nothing but the quantities of the products of our SKUs.

Quantity groups (:func:`quantity_groups`): ``quantity_on_property`` lists the properties
quantities vary on; products with the same values of those properties share one quantity (all
products share one when the list is empty), as Etsy defines it. A change of one of our SKUs sets
the whole group of each of its products; a group holding several of our SKUs gets the smallest
of their figures (nothing is oversold; the README says how to avoid such listings). A SKU on
several products (varying on a property quantity does not vary on) sets them all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

PROPERTY_KEYS = ("property_id", "property_name", "scale_id", "value_ids", "values")
ON_PROPERTY = ("price_on_property", "quantity_on_property", "sku_on_property", "readiness_state_on_property")
MAX_QUANTITY = 999


def price_decimal(money: Mapping[str, Any]) -> Decimal:
    """A Money object's value: ``amount / divisor``, exactly."""
    return Decimal(int(money["amount"])) / Decimal(int(money.get("divisor") or 1))


def price_number(money: Any) -> float:
    """The PUT's ``price``: the Money's decimal value as a JSON number (22.0, 19.99)."""
    if isinstance(money, Mapping):
        return float(price_decimal(money))
    return float(money)


def live_products(inventory: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The products of a GET answer that are not deleted."""
    return [p for p in inventory.get("products") or [] if not p.get("is_deleted")]


def put_body(inventory: Mapping[str, Any]) -> dict[str, Any]:
    """The PUT body that writes ``inventory`` (a GET answer) back exactly as it is."""
    products = []
    for product in live_products(inventory):
        products.append(
            {
                "sku": product.get("sku"),
                "property_values": [
                    {key: value[key] for key in PROPERTY_KEYS if key in value}
                    for value in product.get("property_values") or []
                ],
                "offerings": [
                    {
                        "price": price_number(offering["price"]),
                        "quantity": int(offering["quantity"]),
                        "is_enabled": bool(offering.get("is_enabled", True)),
                        "readiness_state_id": offering.get("readiness_state_id"),
                    }
                    for offering in product.get("offerings") or []
                    if not offering.get("is_deleted")
                ],
            }
        )
    body: dict[str, Any] = {"products": products}
    for key in ON_PROPERTY:
        if key in inventory:
            body[key] = list(inventory[key] or [])
    return body


def quantity_groups(body: Mapping[str, Any]) -> list[list[int]]:
    """Indexes of the products sharing one quantity (see the module), in product order."""
    varying = set(body.get("quantity_on_property") or [])
    groups: dict[tuple, list[int]] = {}
    for index, product in enumerate(body["products"]):
        key = tuple(
            sorted(
                (int(v["property_id"]), tuple(v.get("value_ids") or ()))
                for v in product.get("property_values") or []
                if v.get("property_id") in varying
            )
        )
        groups.setdefault(key, []).append(index)
    return list(groups.values())


def sku_quantity(body: Mapping[str, Any], sku: str) -> int | None:
    """What a buyer can buy of ``sku`` in this inventory (its largest enabled offering; None: not
    in the listing)."""
    found = [
        int(o["quantity"])
        for p in body["products"]
        if p.get("sku") == sku
        for o in p["offerings"]
        if o.get("is_enabled", True)
    ]
    return max(found) if found else None


def _copy(body: Mapping[str, Any]) -> dict[str, Any]:
    products = [{**p, "offerings": [dict(o) for o in p["offerings"]]} for p in body["products"]]
    return {**body, "products": products}


def targets_apply(body: Mapping[str, Any], targets: Mapping[str, int]) -> tuple[dict[str, Any], list[str]]:
    """A copy of ``body`` with the products of the SKUs of ``targets`` (and their quantity
    groups) set to their figure, clamped to 0..999; and notes on what could not be exact."""
    new = _copy(body)
    notes: list[str] = []
    for group in quantity_groups(new):
        ours = sorted({new["products"][i].get("sku") for i in group} & set(targets))
        if not ours:
            continue
        value = min(targets[sku] for sku in ours)
        if len(ours) > 1:
            notes.append(f"SKUs {', '.join(ours)} share one quantity on Etsy: set to the smallest, {value}")
        if value > MAX_QUANTITY:
            notes.append(f"{', '.join(ours)}: {value} is over Etsy's {MAX_QUANTITY} per offering")
        value = min(max(value, 0), MAX_QUANTITY)
        for index in group:
            for offering in new["products"][index]["offerings"]:
                offering["quantity"] = value
    return new, notes


def all_zero(body: Mapping[str, Any]) -> bool:
    """True when no enabled offering has a quantity (Etsy refuses such an inventory)."""
    return not any(
        int(o["quantity"]) > 0 for p in body["products"] for o in p["offerings"] if o.get("is_enabled", True)
    )


def keep_one_unit(body: Mapping[str, Any]) -> dict[str, Any]:
    """``body`` with the first enabled offering's quantity group at 1, so that Etsy takes it (the
    listing is deactivated in the same push: nobody can buy that unit)."""
    new = _copy(body)
    for group in quantity_groups(new):
        if any(o.get("is_enabled", True) for i in group for o in new["products"][i]["offerings"]):
            for index in group:
                for offering in new["products"][index]["offerings"]:
                    offering["quantity"] = 1
            break
    return new


def skus_of(inventory: Mapping[str, Any]) -> Sequence[str]:
    """The distinct non-empty SKUs of a GET answer, in product order."""
    seen: dict[str, None] = {}
    for product in live_products(inventory):
        if product.get("sku"):
            seen.setdefault(str(product["sku"]), None)
    return list(seen)
