"""Which orders an account still has to send."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from inventory_app.models import Order, OrderStatus
from shipping_app.models import OrderExport, OrderExportState, ShippingAccount


def export_retry_backoff(*, attempts: int) -> timedelta:
    """How long a failed export waits before the sweep sends it again (doubling, at most 6 hours)."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=6))


def orders_to_export(*, account: ShippingAccount, limit: int = 500) -> list[int]:
    """Order ids to send: open/partially shipped orders never exported (or changed after their last
    export), exported orders cancelled since, and failed exports whose backoff has passed.
    Oldest first, at most ``limit``.
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
    now = timezone.now()
    failed_due = [
        pk
        for pk, attempts, updated in exports.filter(state=OrderExportState.FAILED).values_list(
            "pk", "attempts", "updated_at"
        )[: limit * 4]
        if updated <= now - export_retry_backoff(attempts=attempts)
    ]
    changed = exports.filter(
        Q(order__updated_at__gt=F("exported_at"), exported_at__isnull=False) | Q(pk__in=failed_due)
    ).exclude(state=OrderExportState.CANCELLED)
    changed_ids = changed.filter(
        order__status__in=[OrderStatus.OPEN, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.CANCELLED]
    ).values_list("order_id", flat=True)
    ids = list(fresh.order_by("pk").values_list("pk", flat=True)[:limit])
    ids += [pk for pk in changed_ids[:limit] if pk not in ids]
    return sorted(ids)[:limit]
