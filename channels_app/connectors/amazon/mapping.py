"""Pure functions from SP-API JSON to the engine's DTOs (no HTTP, no database).

Shapes: Orders API v0 ``Order`` / ``OrderItem`` (ordersV0.json), Listings Items 2021-08-01
``Item`` with ``summaries`` / ``attributes`` / ``fulfillmentAvailability``
(listingsItems_2021-08-01.json), and the JSON_LISTINGS_FEED processing report
(listings-feed-processing-report-schema-v2.json), the ORDER_CHANGE notification
(schemas/notifications/OrderChangeNotification.json), and the tab-separated rows of the
GET_MERCHANT_LISTINGS_ALL_DATA report (Reports API 2021-06-30).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from channels_app.connectors.dto import ListingDTO, OrderDTO, OrderLineDTO, OrderState
from channels_app.connectors.errors import ConnectorError

SELLER_FULFILLED = "DEFAULT"
# OrderStatus enum of ordersV0.json -> (our state, paid).
ORDER_STATUSES: dict[str, tuple[OrderState, bool]] = {
    "PendingAvailability": ("open", False),  # pre-order: payment not authorised yet
    "Pending": ("open", False),  # placed, payment not authorised: reserve, do not ship
    "Unshipped": ("open", True),
    "PartiallyShipped": ("open", True),
    "Shipped": ("fulfilled", True),
    "InvoiceUnconfirmed": ("fulfilled", True),  # all items shipped, invoice not confirmed (BR/CN)
    "Canceled": ("cancelled", False),
    "Unfulfillable": ("cancelled", False),  # Multi-Channel Fulfillment only
}


# Order statuses move forward only, in this order (Canceled can follow Pending or Unshipped).
STATUS_RANK = {
    "PendingAvailability": 0,
    "Pending": 1,
    "Unshipped": 2,
    "PartiallyShipped": 3,
    "Shipped": 4,
    "InvoiceUnconfirmed": 5,
    "Unfulfillable": 6,
    "Canceled": 7,
}


class AmazonPayloadError(ConnectorError):
    """An SP-API answer lacks a field we need or has one of the wrong type."""


def _datetime(value: Any, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise AmazonPayloadError(f"{name} is not an ISO 8601 date: {value!r}") from exc
    if parsed.tzinfo is None:
        raise AmazonPayloadError(f"{name} has no time zone: {value!r}")
    return parsed


def _money(value: Any) -> tuple[Decimal, str]:
    """(amount, currency) of a Money object ({"CurrencyCode", "Amount"}); (0, "") when absent."""
    if not isinstance(value, Mapping):
        return Decimal("0"), ""
    try:
        return Decimal(str(value.get("Amount") or "0")), str(value.get("CurrencyCode") or "")
    except InvalidOperation as exc:
        raise AmazonPayloadError(f"Not an amount: {value!r}") from exc


def order_line_from_amazon(item: Mapping[str, Any]) -> OrderLineDTO:
    """One OrderItem. ``ItemPrice`` is the line total (price x quantity) and is absent while the
    order is Pending; the listing id is the seller SKU (listings are addressed by SKU)."""
    try:
        quantity = int(item["QuantityOrdered"])
        sku = str(item.get("SellerSKU") or "")
        total, _ = _money(item.get("ItemPrice"))
        return OrderLineDTO(
            external_line_id=str(item["OrderItemId"]),
            quantity=quantity,
            sku_code=sku,
            listing_external_id=sku,
            title=str(item.get("Title") or "")[:255],
            unit_price=(total / quantity).quantize(Decimal("0.01")) if quantity else Decimal("0"),
            quantity_fulfilled=int(item.get("QuantityShipped") or 0),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise AmazonPayloadError(f"Malformed order item: {exc!r}") from exc


def order_version(order: Mapping[str, Any], updated: datetime) -> datetime:
    """``LastUpdateDate`` made a strict version of the order's state.

    Amazon writes LastUpdateDate to the second, so two changes within one second (Pending ->
    Unshipped -> Canceled, a partial shipment) share it, and the engine - which keys polled
    versions on (order id, updated_at) - would take only the first. Order states only move
    forward, so the status rank and the number of items shipped are added as microseconds
    (rank x 10,000 + shipped units): a later state of the same second is always a later version.
    """
    rank = STATUS_RANK.get(str(order.get("OrderStatus")), 0)
    shipped = min(int(order.get("NumberOfItemsShipped") or 0), 9_999)
    return updated.replace(microsecond=0) + timedelta(microseconds=rank * 10_000 + shipped)


def order_from_amazon(order: Mapping[str, Any], items: Sequence[Mapping[str, Any]]) -> OrderDTO:
    """An Order with its OrderItems as a full snapshot (``updated_at``: :func:`order_version`).

    Pending (payment not authorised) orders are open and unpaid, so the engine reserves their
    stock; Canceled ones are cancelled (the engine releases); Shipped ones are fulfilled. Buyer
    name, e-mail and address are personal data behind a Restricted Data Token and are left empty.
    """
    try:
        status = str(order["OrderStatus"])
        order_id = str(order["AmazonOrderId"])
        updated = _datetime(order["LastUpdateDate"], "LastUpdateDate")
    except KeyError as exc:
        raise AmazonPayloadError(f"Order without {exc}") from None
    if status not in ORDER_STATUSES:
        raise AmazonPayloadError(f"Unknown OrderStatus {status!r} of order {order_id}")
    state, paid = ORDER_STATUSES[status]
    total, currency = _money(order.get("OrderTotal"))
    if not currency:
        currency = next((_money(i.get("ItemPrice"))[1] for i in items if i.get("ItemPrice")), "") or "USD"
    return OrderDTO(
        external_id=order_id,
        status=state,
        updated_at=order_version(order, updated),
        created_at=_datetime(order["PurchaseDate"], "PurchaseDate") if order.get("PurchaseDate") else None,
        lines=[order_line_from_amazon(item) for item in items],
        is_paid=paid,
        currency=currency[:3],
        total=total,
    )


# Currency of a marketplace, for orders built from an ORDER_CHANGE notification (which has no
# prices); other marketplaces take the order's currency from the next poll's OrderTotal.
MARKETPLACE_CURRENCIES = {
    "ATVPDKIKX0DER": "USD",  # US
    "A2EUQ1WTGCTBG2": "CAD",  # CA
    "A1AM78C64UM0Y8": "MXN",  # MX
    "A1F83G8C2ARO7P": "GBP",  # UK
    "A1PA6795UKMFR9": "EUR",  # DE
    "A13V1IB3VIYZZH": "EUR",  # FR
    "APJ6JRA9NG5V4": "EUR",  # IT
    "A1RKKUPIHCS9HS": "EUR",  # ES
    "A1VC38T7YXB528": "JPY",  # JP
}


def order_change_parts(notification: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """(``Payload.OrderChangeNotification``, its ``Summary``) of an ORDER_CHANGE notification."""
    if notification.get("NotificationType") != "ORDER_CHANGE":
        kind = notification.get("NotificationType")
        raise AmazonPayloadError(f"Not an ORDER_CHANGE notification: {kind!r}")
    payload = notification.get("Payload")
    change = payload.get("OrderChangeNotification") if isinstance(payload, Mapping) else None
    if not isinstance(change, Mapping) or not change.get("AmazonOrderId"):
        raise AmazonPayloadError("ORDER_CHANGE without Payload.OrderChangeNotification.AmazonOrderId")
    summary = change.get("Summary")
    if not isinstance(summary, Mapping):
        raise AmazonPayloadError(f"ORDER_CHANGE of {change['AmazonOrderId']} without a Summary")
    return change, summary


def order_change_time(notification: Mapping[str, Any]) -> datetime:
    """When the order changed: ``OrderChangeTrigger.TimeOfOrderChange`` (may be null), else the
    notification's ``EventTime``. Amazon stamps the order's LastUpdateDate with that change."""
    change, _ = order_change_parts(notification)
    trigger = change.get("OrderChangeTrigger")
    moment = trigger.get("TimeOfOrderChange") if isinstance(trigger, Mapping) else None
    if moment:
        return _datetime(moment, "TimeOfOrderChange")
    return _datetime(notification.get("EventTime"), "EventTime")


def order_from_order_change(notification: Mapping[str, Any]) -> OrderDTO | None:
    """The order snapshot an ORDER_CHANGE carries, or None when its Summary has no complete
    OrderItems (then the caller reads the order with getOrder + getOrderItems).

    Lines come from ``Summary.OrderItems`` (``OrderItemId``, ``SellerSKU``, ``Quantity``,
    ``QuantityShipped``). ``updated_at`` is :func:`order_version` of the time of the change with
    the Summary's ``OrderStatus`` and ``NumberOfItemsShipped``: the version a poll computes from
    the same state's LastUpdateDate, so a poll and a notification of one version are one
    snapshot to the intake, in either order. Notifications carry no prices: unit prices and the
    total are 0 (the intake never rewrites an order's lines, so they stay so).
    """
    change, summary = order_change_parts(notification)
    order_id = str(change["AmazonOrderId"])
    status = str(summary.get("OrderStatus") or "")
    if status not in ORDER_STATUSES:
        raise AmazonPayloadError(f"Unknown OrderStatus {status!r} of order {order_id}")
    items = summary.get("OrderItems")
    if not isinstance(items, list) or not items:
        return None
    lines = []
    for item in items:
        if not isinstance(item, Mapping) or not item.get("SellerSKU") or not item.get("OrderItemId"):
            return None
        quantity = item.get("Quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            return None
        sku = str(item["SellerSKU"])
        lines.append(
            OrderLineDTO(
                external_line_id=str(item["OrderItemId"]),
                quantity=quantity,
                sku_code=sku,
                listing_external_id=sku,
                quantity_fulfilled=int(item.get("QuantityShipped") or 0),
            )
        )
    shipped = summary.get("NumberOfItemsShipped")
    if not isinstance(shipped, int):
        shipped = sum(line.quantity_fulfilled for line in lines)
    state, paid = ORDER_STATUSES[status]
    purchased = summary.get("PurchaseDate")
    return OrderDTO(
        external_id=order_id,
        status=state,
        updated_at=order_version(
            {"OrderStatus": status, "NumberOfItemsShipped": shipped}, order_change_time(notification)
        ),
        created_at=_datetime(purchased, "PurchaseDate") if purchased else None,
        lines=lines,
        is_paid=paid,
        currency=MARKETPLACE_CURRENCIES.get(str(summary.get("MarketplaceId") or ""), "USD"),
    )


def fulfillment_channel(item: Mapping[str, Any]) -> str:
    """The listing's fulfilment channel code ("DEFAULT" = seller-fulfilled; else Amazon's, e.g.
    "AMAZON_NA"), from ``fulfillmentAvailability`` or the ``fulfillment_availability`` attribute."""
    for entry in item.get("fulfillmentAvailability") or []:
        if isinstance(entry, Mapping) and entry.get("fulfillmentChannelCode"):
            return str(entry["fulfillmentChannelCode"])
    for entry in (item.get("attributes") or {}).get("fulfillment_availability") or []:
        if isinstance(entry, Mapping) and entry.get("fulfillment_channel_code"):
            return str(entry["fulfillment_channel_code"])
    return ""


def quantity_from_amazon(item: Mapping[str, Any]) -> int | None:
    """The seller-fulfilled quantity of a listings Item (None for FBA or when absent)."""
    for entry in item.get("fulfillmentAvailability") or []:
        if isinstance(entry, Mapping) and entry.get("fulfillmentChannelCode") == SELLER_FULFILLED:
            quantity = entry.get("quantity")
            return int(quantity) if isinstance(quantity, int) and not isinstance(quantity, bool) else None
    for entry in (item.get("attributes") or {}).get("fulfillment_availability") or []:
        if isinstance(entry, Mapping) and entry.get("fulfillment_channel_code") == SELLER_FULFILLED:
            quantity = entry.get("quantity")
            return int(quantity) if isinstance(quantity, int) and not isinstance(quantity, bool) else None
    return None


def listing_from_amazon(item: Mapping[str, Any], *, marketplace_id: str) -> ListingDTO:
    """A listings Item as a listing to link. Its id is the seller SKU. Amazon-fulfilled (FBA)
    listings come with ``push_enabled=False``: their stock is Amazon's and is never pushed."""
    sku = item.get("sku")
    if not isinstance(sku, str) or not sku:
        raise AmazonPayloadError("Listings item without a sku")
    summaries = [s for s in item.get("summaries") or [] if isinstance(s, Mapping)]
    summary = next((s for s in summaries if s.get("marketplaceId") == marketplace_id), None)
    summary = summary or (summaries[0] if summaries else {})
    channel = fulfillment_channel(item)
    return ListingDTO(
        external_id=sku,
        sku_code=sku,
        title=str(summary.get("itemName") or "")[:500],
        quantity=quantity_from_amazon(item),
        external_product_id=str(summary.get("asin") or ""),
        push_enabled=channel in ("", SELLER_FULFILLED),
        extra={
            "fulfillment_channel_code": channel or SELLER_FULFILLED,
            "product_type": str(summary.get("productType") or ""),
        },
    )


def feed_report_outcomes(
    report: Mapping[str, Any], *, message_skus: Mapping[int, str]
) -> dict[str, tuple[bool, str]]:
    """Per SKU of a feed: (accepted, error text) from its processing report.

    ``message_skus`` maps the feed's message ids to SKUs. An issue of severity ERROR rejects its
    message (warnings do not); issues name the message by ``messageId`` and/or ``sku``.
    """
    errors: dict[str, list[str]] = {}
    for issue in report.get("issues") or []:
        if not isinstance(issue, Mapping) or issue.get("severity") != "ERROR":
            continue
        sku = issue.get("sku")
        if not sku and isinstance(issue.get("messageId"), int):
            sku = message_skus.get(issue["messageId"])
        if not sku:
            continue
        text = f"{issue.get('code') or 'ERROR'}: {issue.get('message') or ''}".strip()
        errors.setdefault(str(sku), []).append(text)
    return {sku: (sku not in errors, "; ".join(errors.get(sku, []))) for sku in message_skus.values()}


def patch_issues_text(answer: Mapping[str, Any]) -> str:
    """The ERROR issues of a ListingsItemSubmissionResponse as one line."""
    found = [
        f"{i.get('code') or 'ERROR'}: {i.get('message') or ''}".strip()
        for i in answer.get("issues") or []
        if isinstance(i, Mapping) and i.get("severity") == "ERROR"
    ]
    return "; ".join(found) or f"submission {answer.get('status')}"


def _report_text(raw: bytes) -> str:
    """A report document's text: UTF-8 (with or without BOM), else Windows-1252 (Amazon writes
    some marketplaces' flat-file reports in a legacy code page)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def listings_from_report(raw: bytes) -> list[ListingDTO]:
    """The rows of a GET_MERCHANT_LISTINGS_ALL_DATA document (tab-separated, a header row of
    column names such as ``seller-sku``, ``item-name``, ``quantity``, ``asin1``,
    ``fulfillment-channel``) as the listings :func:`listing_from_amazon` gives: the id is the
    seller SKU; rows whose ``fulfillment-channel`` is not DEFAULT (FBA, e.g. AMAZON_NA) come with
    ``push_enabled=False`` and no quantity. Columns are found by name, in any order; rows without
    a SKU are skipped, and a SKU seen twice keeps its first row."""
    lines = [line.rstrip("\r") for line in _report_text(raw).split("\n")]
    lines = [line for line in lines if line.strip()]
    if not lines:
        return []
    header = [name.strip().lower() for name in lines[0].split("\t")]
    if "seller-sku" not in header:
        raise AmazonPayloadError("The listings report has no seller-sku column")
    listings: dict[str, ListingDTO] = {}
    for line in lines[1:]:
        cells = line.split("\t")
        row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}
        sku = row.get("seller-sku", "")
        if not sku or sku in listings:
            continue
        channel = row.get("fulfillment-channel", "") or SELLER_FULFILLED
        quantity_text = row.get("quantity", "")
        quantity = None
        if channel == SELLER_FULFILLED and quantity_text:
            try:
                quantity = int(quantity_text)
            except ValueError:
                raise AmazonPayloadError(f"Quantity of {sku} is not a number: {quantity_text!r}") from None
        listings[sku] = ListingDTO(
            external_id=sku,
            sku_code=sku,
            title=row.get("item-name", "")[:500],
            quantity=quantity,
            external_product_id=row.get("asin1", ""),
            push_enabled=channel == SELLER_FULFILLED,
            extra={"fulfillment_channel_code": channel, "product_type": ""},
        )
    return list(listings.values())
