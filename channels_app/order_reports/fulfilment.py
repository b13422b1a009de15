"""Reporting our shipments back to the channel (fulfilment with tracking)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings

from channels_app.connectors.base import ConfirmsFulfilment
from channels_app.connectors.dto import FulfilmentDTO
from channels_app.connectors.errors import ConnectorError
from channels_app.models import ChannelAccount
from channels_app.push.run import account_rate_limit
from channels_app.services.accounts import account_connector
from inventory_app.models import Order


class FulfilmentError(Exception):
    """The order cannot be reported (not a channel order, unknown line...)."""


class FulfilmentOutcome(StrEnum):
    """What :func:`order_fulfilment_push` did."""

    SENT = "sent"
    NO_ACCOUNT = "no_account"  # the order's channel has no enabled account (e.g. manual orders)
    DRY_RUN = "dry_run"  # the account is in dry run: nothing was sent


@dataclass(frozen=True)
class FulfilmentPushResult:
    """The outcome, and the fulfilment as built for the channel (None without an account)."""

    outcome: FulfilmentOutcome
    fulfilment: FulfilmentDTO | None = None

    @property
    def sent(self) -> bool:
        """True when the channel was told."""
        return self.outcome == FulfilmentOutcome.SENT


def order_fulfilment_push(
    *,
    order_id: int,
    quantities: Mapping[int, int],
    carrier: str = "",
    tracking_number: str = "",
    tracking_url: str = "",
    idempotency_key: str = "",
    reported_before: Mapping[int, int] | None = None,
) -> FulfilmentPushResult:
    """Tell the order's channel that ``quantities`` (our line id -> units) shipped, with tracking.

    ``idempotency_key`` identifies the fulfilment request (stable across retries); connectors
    whose channel takes one pass it on. ``reported_before`` (our line id -> units) is what
    earlier fulfilments of the order reported, so a connector can recognise one that landed.
    Returns SENT with what was sent, NO_ACCOUNT for orders of channels without an enabled
    account, DRY_RUN (with what would have been sent) for dry-run accounts. Raises
    RetryableError/ConnectorError from the connector (the task retries the first) and
    FulfilmentError for lines that are not on the order.
    """
    order = Order.objects.select_related("channel").get(pk=order_id)
    account = ChannelAccount.objects.filter(sales_channel=order.channel, enabled=True).first()
    if account is None:
        return FulfilmentPushResult(FulfilmentOutcome.NO_ACCOUNT)
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
        idempotency_key=idempotency_key,
        reported_before={lines[pk]: qty for pk, qty in (reported_before or {}).items() if pk in lines},
    )
    if account.dry_run:
        return FulfilmentPushResult(FulfilmentOutcome.DRY_RUN, dto)
    connector = account_connector(account=account)
    if not isinstance(connector, ConfirmsFulfilment):
        raise ConnectorError(f"{account.kind} channels take no shipment confirmation through their API")
    account_rate_limit(
        account=account, connector=connector, timeout=float(settings.CHANNELS_PUSH_LEASE_SECONDS)
    )
    connector.fulfilment_push(fulfilment=dto)
    return FulfilmentPushResult(FulfilmentOutcome.SENT, dto)
