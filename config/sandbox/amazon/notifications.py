"""ORDER_CHANGE notifications of the fake SP-API (Notifications API, delivered to an SQS queue).

When a destination is attached (``FakeAmazon.notifications_attach(sqs)``), every change of an
order's status - placed (Pending), payment authorised (Unshipped), shipped in part or in full,
cancelled - publishes one ORDER_CHANGE notification, shaped as
``schemas/notifications/OrderChangeNotification.json`` (NotificationVersion 1.0, PayloadVersion
1.0), as the SQS message body. ``TimeOfOrderChange`` is the order's LastUpdateDate (what
getOrders reports for that state); ``with_items=False`` sends an empty ``Summary.OrderItems``
(the reader must then call getOrderItems).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from .state import Order

APPLICATION_ID = "amzn1.sellerapps.app.0f6a7e1c-fake-4b1e-9d0c-stockmaster"


def iso_ms(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as the Notifications API writes times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class Destination:
    """Where the fake publishes: ``send(body)`` (an SQS queue's) and the subscription's id."""

    send: Callable[[str], object]
    subscription_id: str
    with_items: bool = True


def order_change(
    order: Order, *, seller_id: str, subscription_id: str, now: datetime, reason: str, with_items: bool = True
) -> dict:
    """The ORDER_CHANGE notification of ``order``'s current state."""
    shipped = sum(i.quantity_shipped for i in order.items)
    ordered = sum(i.quantity_ordered for i in order.items)
    items = [
        {
            "OrderItemId": item.order_item_id,
            "SellerSKU": item.sku,
            "SupplySourceId": None,
            "OrderItemStatus": "Shipped" if item.quantity_shipped >= item.quantity_ordered else "Unshipped",
            "Quantity": item.quantity_ordered,
            "QuantityShipped": item.quantity_shipped,
            "IsBuyerRequestedCancel": False,
        }
        for item in order.items
    ]
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": iso_ms(now),
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": seller_id,
                "AmazonOrderId": order.amazon_order_id,
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": {
                    "TimeOfOrderChange": iso_ms(order.last_update_date),
                    "ChangeReason": reason,
                },
                "Summary": {
                    "MarketplaceId": order.marketplace_id,
                    "OrderStatus": order.status,
                    "PurchaseDate": iso_ms(order.purchase_date),
                    "DestinationPostalCode": "98101",
                    "FulfillmentType": order.fulfillment_channel,
                    "OrderType": "StandardOrder",
                    "NumberOfItemsShipped": shipped,
                    "NumberOfItemsUnshipped": 0 if order.status == "Canceled" else ordered - shipped,
                    "OrderItems": items if with_items else [],
                },
            }
        },
        "NotificationMetadata": {
            "ApplicationId": APPLICATION_ID,
            "SubscriptionId": subscription_id,
            "PublishTime": iso_ms(now),
            "NotificationId": str(uuid.uuid4()),
        },
    }
