"""Reporting our shipments back to the channel (fulfilment with tracking)."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings

from channels_app.connectors.base import FulfilmentDTO
from channels_app.models import ChannelAccount
from channels_app.services.accounts import account_connector
from channels_app.services.push import account_rate_limit
from inventory_app.models import Order


class FulfilmentError(Exception):
    """The order cannot be reported (not a channel order, unknown line...)."""


def order_fulfilment_push(
    *,
    order_id: int,
    quantities: Mapping[int, int],
    carrier: str = "",
    tracking_number: str = "",
    tracking_url: str = "",
) -> FulfilmentDTO | None:
    """Tell the order's channel that ``quantities`` (our line id -> units) shipped, with tracking.

    Returns what was sent, or None for orders of channels without an account (manual orders)
    and for dry-run accounts. Raises RetryableError/ConnectorError from the connector (the task
    retries the first) and FulfilmentError for lines that are not on the order.
    """
    order = Order.objects.select_related("channel").get(pk=order_id)
    account = ChannelAccount.objects.filter(sales_channel=order.channel, enabled=True).first()
    if account is None:
        return None
    lines = dict(order.lines.values_list("pk", "external_line_id"))
    missing = set(quantities) - lines.keys()
    if missing:
        raise FulfilmentError(f"Lines {sorted(missing)} are not on order {order.pk}")
    dto = FulfilmentDTO(
        order_external_id=order.external_ref,
        lines={lines[pk]: qty for pk, qty in quantities.items() if qty > 0},
        carrier=carrier,
        tracking_number=tracking_number,
        tracking_url=tracking_url,
    )
    if account.dry_run:
        return None
    connector = account_connector(account=account)
    account_rate_limit(
        account=account, connector=connector, timeout=float(settings.CHANNELS_PUSH_LEASE_SECONDS)
    )
    connector.fulfilment_push(fulfilment=dto)
    return dto
