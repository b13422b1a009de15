"""Our fulfilments as BigCommerce v2 shipments (pure: what to POST to /v2/orders/{id}/shipments)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from channels_app.connectors.dto import FulfilmentDTO
from channels_app.connectors.errors import ConnectorError

# ``shipping_provider`` values orders.v2.oas2.yml lists (besides "" and ``carrier_{id}``).
PROVIDERS = frozenset(
    {
        "auspost",
        "canadapost",
        "endicia",
        "usps",
        "fedex",
        "royalmail",
        "ups",
        "upsready",
        "upsonline",
        "shipperhq",
    }
)


def shipments_for(
    *, fulfilment: FulfilmentDTO, products: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The shipment bodies of ``fulfilment``: one per order address of its lines (``products`` are
    the order's v2 products). Empty when BigCommerce already shows every line shipped up to what
    this fulfilment adds (a retry after a lost answer). ConnectorError for a line not in the order.
    """
    by_id = {str(p["id"]): p for p in products}
    unknown = sorted(set(fulfilment.lines) - set(by_id))
    if unknown:
        raise ConnectorError(f"BigCommerce order {fulfilment.order_external_id} has no products {unknown}")
    landed = all(
        int(by_id[line].get("quantity_shipped") or 0) >= fulfilment.reported_before.get(line, 0) + qty
        for line, qty in fulfilment.lines.items()
    )
    if landed:
        return []
    by_address: dict[int, list[dict[str, int]]] = {}
    for line, qty in fulfilment.lines.items():
        if qty > 0:
            address = int(by_id[line].get("order_address_id") or 0)
            by_address.setdefault(address, []).append({"order_product_id": int(line), "quantity": int(qty)})
    carrier = (fulfilment.carrier or "").strip()
    shipments = []
    for address, items in sorted(by_address.items()):
        body: dict[str, Any] = {"order_address_id": address, "items": items}
        if fulfilment.tracking_number:
            body["tracking_number"] = fulfilment.tracking_number[:50]
        if carrier.lower() in PROVIDERS:
            body["shipping_provider"] = carrier.lower()
        elif carrier:
            body["shipping_method"] = carrier[:250]
        if fulfilment.tracking_url:
            body["tracking_link"] = fulfilment.tracking_url[:500]
        shipments.append(body)
    return shipments
