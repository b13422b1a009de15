"""Pure functions between Rakuten's XML and our DTOs: sales, the stock import file, its report,
and the inventory export. Elements are read by local name (see ``connectors.xmlsafe``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from channels_app.connectors.dto import ListingDTO, OrderDTO, OrderLineDTO
from channels_app.connectors.xmlsafe import child, children, descendants, text

PARIS = ZoneInfo("Europe/Paris")
# Item states that end the item without a shipment (its unit comes back).
ENDED = frozenset({"REFUSED", "CANCELLED", "CANCELED"})
REQUESTED = "REQUESTED"


def purchase_date(raw: str) -> datetime | None:
    """``DD/MM/YYYY-HH:MM[:SS]`` in Paris time, as UTC; None if it is not in that form."""
    for pattern in ("%d/%m/%Y-%H:%M:%S", "%d/%m/%Y-%H:%M"):
        try:
            return datetime.strptime(raw.strip(), pattern).replace(tzinfo=PARIS).astimezone(UTC)
        except ValueError:
            continue
    return None


def _decimal(raw: str) -> Decimal:
    try:
        return Decimal(raw.replace(",", ".")) if raw else Decimal("0")
    except InvalidOperation:
        return Decimal("0")


def item_units(item: Element) -> int:
    """Units of one sold item: 1, unless the answer carries a positive ``quantity``."""
    raw = text(item, "quantity")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def sale_items(sale: Element) -> list[Element]:
    """The ``item`` elements of a ``sale``."""
    return children(child(sale, "items"), "item")


def sale_to_order(sale: Element, *, fallback_time: datetime) -> OrderDTO:
    """One ``sale`` (getnewsales or getcurrentsales) as an order snapshot: one line per item,
    keyed by ``itemid``; a refused or cancelled item's units are cancelled. ``fallback_time`` is
    the snapshot time when ``purchasedate`` cannot be read."""
    placed = purchase_date(text(sale, "purchasedate")) or fallback_time
    lines = []
    currency = "EUR"
    total = Decimal("0")
    for item in sale_items(sale):
        units = item_units(item)
        status = text(item, "itemstatus").upper()
        price = child(item, "price") if child(item, "price") is not None else child(item, "advertpricelisted")
        amount = _decimal(text(price, "amount"))
        currency = text(price, "currency") or currency
        total += amount * units
        sku = text(item, "sku")
        lines.append(
            OrderLineDTO(
                external_line_id=text(item, "itemid"),
                quantity=units,
                sku_code=sku,
                listing_external_id=sku,
                title=text(item, "headline")[:255],
                unit_price=amount,
                quantity_cancelled=units if status in ENDED else 0,
            )
        )
    ended = bool(lines) and all(line.quantity_cancelled == line.quantity for line in lines)
    delivery = child(sale, "deliveryinformation")
    address = child(delivery, "deliveryaddress")
    name = " ".join(p for p in (text(address, "firstname"), text(address, "lastname")) if p)
    return OrderDTO(
        external_id=text(sale, "purchaseid"),
        status="cancelled" if ended else "open",
        updated_at=placed,
        created_at=placed,
        lines=lines,
        currency=currency[:3] or "EUR",
        total=total,
        customer_name=name,
        customer_email=text(delivery, "purchasebuyeremail"),
        shipping_address={
            key: text(address, key)
            for key in ("address1", "address2", "zipcode", "city", "country", "countryalpha2")
            if text(address, key)
        },
    )


def sales_of(root: Element) -> list[Element]:
    """The ``sale`` elements of a getnewsales/getcurrentsales answer."""
    return children(child(child(root, "response"), "sales"), "sale")


def next_token(root: Element) -> str:
    """The ``nexttoken`` under ``response`` (anywhere), '' when absent or empty."""
    for node in descendants(child(root, "response"), "nexttoken"):
        return (node.text or "").strip()
    return ""


def import_file(items: Sequence[tuple[str, int]]) -> bytes:
    """The generic import file (UTF-8, no BOM) updating the ``qty`` of existing adverts by
    ``sellerReference``: advert-only items, nothing else of the listing is touched."""
    parts = ["<?xml version='1.0' encoding='UTF-8'?>\n<items>\n"]
    for reference, quantity in items:
        parts.append(
            "  <item><attributes><advert>"
            f"<attribute><key>sellerReference</key><value>{escape(reference)}</value></attribute>"
            f"<attribute><key>qty</key><value>{int(quantity)}</value></attribute>"
            "</advert></attributes></item>\n"
        )
    parts.append("</items>\n")
    return "".join(parts).encode("utf-8")


def import_id(root: Element) -> str:
    """The ``importid`` of a genericimportfile answer ('' if absent)."""
    return text(child(root, "response"), "importid")


def status_key(raw: str) -> str:
    """A report status without accents, case-folded (``Traité`` -> ``traite``)."""
    decomposed = unicodedata.normalize("NFKD", raw)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


DONE_STATES = ("traite", "annule", "aucune ligne")


@dataclass(frozen=True)
class ImportReport:
    """A genericimportreport page: the file's state, per-SKU outcomes, the next page's token."""

    status: str
    done: bool
    lines: dict[str, tuple[bool, str]]
    next_token: str = ""


def import_report(root: Element) -> ImportReport:
    """Read a genericimportreport answer: ``done`` once the file is processed, cancelled or
    rejected whole; ``lines`` maps sellerReference -> (accepted, error text)."""
    response = child(root, "response")
    status = text(child(response, "file"), "status")
    key = status_key(status)
    outcomes: dict[str, tuple[bool, str]] = {}
    for product in children(response, "product"):
        sku = text(product, "sku") or text(product, "sellerReference")
        if not sku:
            continue
        messages = [text(e, "message") for e in descendants(child(product, "errors"), "error")]
        accepted = status_key(text(product, "status")) == "ok"
        outcomes[sku] = (accepted, "; ".join(m for m in messages if m) or text(product, "status"))
    return ImportReport(
        status=status,
        done=any(key.startswith(state) for state in DONE_STATES),
        lines=outcomes,
        next_token=next_token(root),
    )


def advert_to_listing(advert: Element) -> ListingDTO | None:
    """One ``advert`` of the inventory export as a listing keyed by its sellerReference."""
    reference = text(advert, "sellerReference") or text(advert, "sku")
    if not reference:
        return None
    raw_qty = text(advert, "qty") or text(advert, "quantity")
    return ListingDTO(
        external_id=reference,
        sku_code=reference,
        title=text(advert, "headline") or text(advert, "title"),
        quantity=int(raw_qty) if raw_qty.isdigit() else None,
        external_offer_id=text(advert, "aid") or text(advert, "advertid"),
    )


def export_adverts(root: Element) -> list[Element]:
    """The ``advert`` elements of an export answer."""
    return list(descendants(child(root, "response"), "advert"))
