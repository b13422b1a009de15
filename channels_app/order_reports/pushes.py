"""Telling a channel, exactly once, what happened here to its orders: shipments and cancellations.

The core calls :func:`shipment_recorded_listener` (its shipment hook) and
:func:`order_cancelled_listener` (its cancellation hook) inside the shipment's or cancellation's
transaction; they write a ``ChannelOrderPush`` row there and enqueue its delivery after commit.
:func:`channel_order_push_deliver` claims the row with a lease (a conditional update, so two
workers never send it at once, on PostgreSQL and SQLite alike), sends it through the channel's
connector outside any transaction, and marks it delivered. A worker that dies mid-send leaves
the lease to run out; the retry passes what earlier fulfilments reported and a stable key, and
the connectors check the channel's state before sending again, so a shipment reaches the channel
once. Rows still pending are re-enqueued by :func:`channel_order_pushes_due` (beat).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from channels_app import task_names
from channels_app.connectors.base import CancelsOrders
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.registry import connector_class_get
from channels_app.models import ChannelAccount, ChannelOrderPush, OrderPushKind, OrderPushStatus
from config.integrations.tasks import task_enqueue
from inventory_app.hooks import SellerNotice
from inventory_app.models import Order, OrderShipment
from inventory_app.services.orders import order_attention_flag

logger = logging.getLogger(__name__)

MANUAL_CHANNEL_KINDS = {"manual"}
LEASE = timedelta(minutes=5)
NO_ACCOUNT_RETRY = timedelta(hours=1)
MAX_BACKOFF = timedelta(hours=6)
PENDING = (OrderPushStatus.QUEUED, OrderPushStatus.FAILED)


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** min(attempts, 12)), MAX_BACKOFF)


def _enqueue(push_id: int) -> None:
    task_enqueue(name=task_names.CHANNEL_ORDER_PUSH, args=(push_id,))


def _account(order: Order) -> ChannelAccount | None:
    return ChannelAccount.objects.filter(sales_channel_id=order.channel_id, enabled=True).first()


def shipment_recorded_listener(shipment: OrderShipment) -> None:
    """Core shipment hook: queue the fulfilment of ``shipment`` for its order's channel.

    Shipments the channel reported itself and orders of the manual channel need nobody told.
    """
    if shipment.from_channel or shipment.order.channel.kind in MANUAL_CHANNEL_KINDS:
        return
    push = ChannelOrderPush.objects.create(
        order_id=shipment.order_id, kind=OrderPushKind.FULFILMENT, shipment=shipment
    )
    _enqueue(push.pk)


def order_cancelled_listener(order: Order) -> SellerNotice | None:
    """Core cancellation hook: cancel the order on its channel where the channel's API allows
    it (queued, after commit), otherwise say plainly what the seller must do there."""
    channel = order.channel
    if channel.kind in MANUAL_CHANNEL_KINDS:
        return None
    ref, name = order.external_ref, channel.name
    account = _account(order)
    if account is None:
        return SellerNotice(
            f"{name} has no enabled channel account: cancel order {ref} on {name} yourself.", True
        )
    connector = connector_class_get(kind=account.kind)
    if not issubclass(connector, CancelsOrders):
        return SellerNotice(connector.cancel_instructions.format(ref=ref, channel=name), True)
    if order.lines.filter(quantity_shipped__gt=0).exists():
        return SellerNotice(
            f"Part of order {ref} has shipped, so it cannot be cancelled as a whole on {name}:"
            f" cancel or refund the rest on {name} yourself.",
            True,
        )
    if account.dry_run:
        return SellerNotice(f"The {name} account is in dry run: cancel order {ref} on {name} yourself.", True)
    push, created = ChannelOrderPush.objects.get_or_create(order=order, kind=OrderPushKind.CANCEL)
    if created:
        _enqueue(push.pk)
    return SellerNotice(f"Order {ref} is being cancelled on {name} as well (the buyer is refunded there).")


def _claim(push_id: int) -> bool:
    now = timezone.now()
    return bool(
        ChannelOrderPush.objects.filter(pk=push_id, status__in=PENDING)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .update(leased_until=now + LEASE, attempts=F("attempts") + 1)
    )


def _reported_before(push: ChannelOrderPush) -> dict[int, int]:
    """Units per order line the channel already has from other shipments of the order: those it
    reported itself and those our delivered fulfilments reported."""
    done: Counter[int] = Counter()
    earlier = (
        OrderShipment.objects.filter(order_id=push.order_id)
        .filter(Q(from_channel=True) | Q(channel_push__status=OrderPushStatus.DELIVERED))
        .exclude(pk=push.shipment_id)
    )
    for quantities in earlier.values_list("quantities", flat=True):
        done.update({int(k): int(v) for k, v in quantities.items()})
    return dict(done)


def _fulfilment_send(push: ChannelOrderPush) -> str:
    """Send the shipment; return "" when the channel has it, else why it waits."""
    from channels_app.order_reports.fulfilment import FulfilmentOutcome, order_fulfilment_push

    shipment = push.shipment
    result = order_fulfilment_push(
        order_id=push.order_id,
        quantities={int(k): int(v) for k, v in shipment.quantities.items()},
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        tracking_url=shipment.tracking_url,
        idempotency_key=f"order-push-{push.pk}",
        reported_before=_reported_before(push),
    )
    if result.sent:
        return ""
    if result.outcome == FulfilmentOutcome.NO_ACCOUNT:
        return "No enabled channel account for this channel yet: kept queued"
    return "The channel account is in dry run: nothing sent, kept queued"


def _cancel_send(push: ChannelOrderPush) -> str:
    from channels_app.services.accounts import account_connector

    account = _account(push.order)
    if account is None:
        return "No enabled channel account for this channel: kept queued"
    if account.dry_run:
        return "The channel account is in dry run: nothing sent, kept queued"
    connector = account_connector(account=account)
    if not isinstance(connector, CancelsOrders):
        raise ConnectorError(f"{account.kind} channels cannot cancel orders through their API")
    connector.order_cancel_push(order_external_id=push.order.external_ref, reason=push.order.note)
    return ""


def channel_order_push_deliver(*, push_id: int) -> ChannelOrderPush:
    """Send one pending push to the order's channel; return the row as it ends.

    Delivered: ``delivered``. No enabled account, or a dry-run one: stays ``queued``, retried in
    an hour. A refusal: ``failed`` with the error, retried with backoff, and the order flagged so
    the seller sees it. A transient error (RetryableError) is recorded the same way and re-raised
    for the task to retry. A row another worker holds (its lease running) is left alone.
    """
    if not _claim(push_id):
        return ChannelOrderPush.objects.get(pk=push_id)
    push = ChannelOrderPush.objects.select_related("order__channel", "shipment").get(pk=push_id)
    retry: RetryableError | None = None
    now = timezone.now()
    fields = {"leased_until": None, "last_error": "", "next_attempt_at": None}
    try:
        waiting = _fulfilment_send(push) if push.kind == OrderPushKind.FULFILMENT else _cancel_send(push)
    except RetryableError as exc:
        retry, error = exc, str(exc)
    except (ConnectorError, LookupError, ValueError) as exc:
        error = str(exc)
    except Exception as exc:  # an outbox row must record any failure, not vanish with it
        logger.exception("Order push %s could not be sent", push.pk)
        error = f"{type(exc).__name__}: {exc}"
    else:
        error = ""
        if waiting:
            fields.update(last_error=waiting, next_attempt_at=now + NO_ACCOUNT_RETRY)
        else:
            fields.update(status=OrderPushStatus.DELIVERED, delivered_at=now)
    if error:
        fields.update(
            status=OrderPushStatus.FAILED,
            last_error=error[:2000],
            next_attempt_at=now + _backoff(push.attempts),
        )
        if retry is None:
            what = "fulfilment" if push.kind == OrderPushKind.FULFILMENT else "cancellation"
            order_attention_flag(
                order_id=push.order_id,
                reason=f"{push.order.channel.name} refused the {what}: {error[:300]}",
            )
    ChannelOrderPush.objects.filter(pk=push.pk).update(**fields)
    if retry is not None:
        raise retry
    return ChannelOrderPush.objects.get(pk=push.pk)


def channel_order_pushes_due(*, limit: int = 500) -> list[int]:
    """Ids of pending pushes whose next attempt is due and that no worker holds (for the sweep)."""
    now = timezone.now()
    return list(
        ChannelOrderPush.objects.filter(status__in=PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def channel_order_pushes_sweep() -> int:
    """Enqueue every due push (beat); return how many."""
    due = channel_order_pushes_due()
    with transaction.atomic():
        for push_id in due:
            _enqueue(push_id)
    return len(due)


def channel_order_push_retry(*, push_id: int) -> None:
    """Staff asked to try a pending push again now."""
    with transaction.atomic():
        ChannelOrderPush.objects.filter(pk=push_id, status__in=PENDING).update(next_attempt_at=None)
        _enqueue(push_id)
