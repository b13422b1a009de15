"""Fulfilment: settrackingpackageinfos for one item, importitemshippingstatus (a file) for many."""

from __future__ import annotations

from xml.sax.saxutils import escape

from channels_app.connectors.dto import FulfilmentDTO
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.rakuten.client import RakutenClient

# Our carrier names (case-folded) -> Rakuten's transporter names. Rakuten's list is fixed on its
# documentation page, which we could not read: these are the common French carriers, anything
# else goes as "Autre" with the tracking URL (mandatory then).
CARRIERS = {
    "colissimo": "Colissimo",
    "chronopost": "Chronopost",
    "dhl": "DHL",
    "ups": "UPS",
    "fedex": "Fedex",
    "tnt": "TNT",
    "gls": "GLS",
    "dpd": "DPD",
    "mondial relay": "Mondial Relay",
    "la poste": "Colissimo",
}
OTHER = "Autre"


def transporter(carrier: str) -> str:
    """Rakuten's transporter name for ``carrier`` (``Autre`` when unknown)."""
    return CARRIERS.get(carrier.strip().casefold(), OTHER)


def shipping_file(*, fulfilment: FulfilmentDTO, name: str) -> bytes:
    """The importitemshippingstatus file: one ``item`` per shipped itemid."""
    parts = ["<?xml version='1.0' encoding='UTF-8'?>\n<items>\n"]
    for item_id in fulfilment.lines:
        parts.append(
            f"  <item><purchaseid>{escape(fulfilment.order_external_id)}</purchaseid>"
            f"<itemid>{escape(item_id)}</itemid><transporter>{escape(name)}</transporter>"
            f"<trackingnumber>{escape(fulfilment.tracking_number)}</trackingnumber>"
            f"<trackingurl>{escape(fulfilment.tracking_url)}</trackingurl></item>\n"
        )
    parts.append("</items>\n")
    return "".join(parts).encode("utf-8")


def fulfilment_send(*, client: RakutenClient, fulfilment: FulfilmentDTO) -> None:
    """Report the shipped items with carrier and tracking. Sending the same tracking again (a
    retry after a lost answer) sets the same values: not an error."""
    if not fulfilment.lines:
        return
    if not fulfilment.tracking_number:
        raise ConnectorError("Rakuten needs a tracking number to confirm a shipment")
    name = transporter(fulfilment.carrier)
    if name == OTHER and not fulfilment.tracking_url:
        raise ConnectorError(
            f"Rakuten does not know the carrier {fulfilment.carrier!r}: add the tracking URL to the shipment"
        )
    if len(fulfilment.lines) == 1:
        (item_id,) = fulfilment.lines
        params = {"itemid": item_id, "transporter_name": name, "tracking_number": fulfilment.tracking_number}
        if fulfilment.tracking_url:
            params["tracking_url"] = fulfilment.tracking_url
        client.call("settrackingpackageinfos", params)
        return
    content = shipping_file(fulfilment=fulfilment, name=name)
    client.call("importitemshippingstatus", file=(f"shipping-{fulfilment.order_external_id}.xml", content))
