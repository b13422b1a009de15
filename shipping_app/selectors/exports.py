"""Which orders an account still has to send."""

from __future__ import annotations

from django.db.models import F, Q

from inventory_app.models import Order, OrderStatus
from shipping_app.models import OrderExport, OrderExportState, ShippingAccount


def orders_to_export(*, account: ShippingAccount, limit: int = 500) -> list[int]:
    """Order ids to send: open/partially shipped orders never exported (or changed after their last
    export), and exported orders cancelled since. Oldest first, at most ``limit``.
    """
    channels = list(account.sales_channels.values_list("pk", flat=True))
    orders = Order.objects.all()
    if channels:
        orders = orders.filter(channel_id__in=channels)
    exports = OrderExport.objects.filter(account=account)
    exported_ids = exports.values("order_id")
    fresh = orders.filter(status__in=[OrderStatus.OPEN, OrderStatus.PARTIALLY_SHIPPED]).exclude(
        pk__in=exported_ids
    )
    changed = exports.filter(
        Q(order__updated_at__gt=F("exported_at")) | Q(state=OrderExportState.FAILED)
    ).exclude(state=OrderExportState.CANCELLED)
    changed_ids = changed.filter(
        order__status__in=[OrderStatus.OPEN, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.CANCELLED]
    ).values_list("order_id", flat=True)
    ids = list(fresh.order_by("pk").values_list("pk", flat=True)[:limit])
    ids += [pk for pk in changed_ids[:limit] if pk not in ids]
    return sorted(ids)[:limit]
