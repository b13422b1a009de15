"""Order intake: webhooks and polls both end in :func:`order_intake_apply`, which is idempotent.

Every channel event carries a whole order snapshot (connectors normalise to :class:`OrderDTO`),
so applying events in any order, any number of times, converges on the same state: the order is
created once (``order_create`` is idempotent on (channel, external ref) and reserves stock
once), cancellation releases once, channel-side fulfilment ships only the units not yet shipped
(with an idempotency key per target), and lines with unknown SKUs are kept and flagged. The
listings of the SKUs touched are marked dirty in the same transaction.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from channels_app import task_names
from channels_app.connectors.base import ReceivesWebhooks
from channels_app.connectors.dto import OrderDTO
from channels_app.connectors.errors import WebhookPayloadError, WebhookSignatureError
from channels_app.connectors.registry import connector_class_get
from channels_app.intake.beliefs import listings_belief_shift, order_listing_units
from channels_app.intake.events import (  # noqa: F401 (re-exported)
    inbound_event_record,
    inbound_event_reject,
    order_dto_dump,
    order_dto_load,
    polled_event_id,
)
from channels_app.models import ChannelAccount, InboundEvent, InboundEventStatus, Listing
from channels_app.push.outbox import account_push_request, listings_mark_dirty, outbox_marks_scope
from channels_app.selectors.quantities import account_location_ids
from channels_app.services.accounts import account_connector
from config.integrations.tasks import task_enqueue
from inventory_app.errors import OrderError
from inventory_app.models import Order, OrderStatus
from inventory_app.services.orders import (
    OrderInput,
    OrderLineInput,
    order_cancel,
    order_create,
    order_lines_cancel,
    order_ship,
)
from inventory_app.services.orders.batch import orders_create_many
from inventory_app.services.orders.details import OrderDetails, order_details_fill, order_details_missing

logger = logging.getLogger(__name__)

# Error text of an event skipped because a newer snapshot of its order was already applied.
OLDER_SNAPSHOT = "ignored: older"


@dataclass
class IntakeBatch:
    """What a batch of intakes of one account reads once (see ``intake_batch``).

    ``location_ids``: the account's locations; ``listing_codes``: linked listing external id ->
    SKU code for every listing of the batch; ``absent_refs``: external refs with no order when
    the batch started; ``sku_ids``: every SKU the batch's lines can resolve to (marked dirty once
    by the caller, who also requests the pushes).
    """

    location_ids: list[int] | None
    listing_codes: dict[str, str]
    absent_refs: set[str]
    sku_ids: set[int] = field(default_factory=set)


def _line_sku_codes(
    *, account: ChannelAccount, order: OrderDTO, batch: IntakeBatch | None = None
) -> dict[str, str]:
    """external line id -> our SKU code (through the linked listing, else the code the channel sent)."""
    listing_ids = {line.listing_external_id for line in order.lines if line.listing_external_id}
    if batch is not None:
        linked = batch.listing_codes
    else:
        linked = dict(
            Listing.objects.filter(
                account=account, external_id__in=listing_ids, sku__isnull=False
            ).values_list("external_id", "sku__code")
        )
    return {
        line.external_line_id: linked.get(line.listing_external_id)
        or line.sku_code
        or f"listing:{line.listing_external_id}"
        for line in order.lines
    }


def _order_input(*, account: ChannelAccount, order: OrderDTO, batch: IntakeBatch | None = None) -> OrderInput:
    codes = _line_sku_codes(account=account, order=order, batch=batch)
    return OrderInput(
        external_ref=order.external_id,
        lines=[
            OrderLineInput(
                sku_code=codes[line.external_line_id],
                quantity=line.quantity,
                unit_price=line.unit_price,
                title=line.title[:255],
                external_line_id=line.external_line_id,
            )
            for line in order.lines
        ],
        customer_name=order.customer_name,
        customer_email=order.customer_email,
        shipping_address=dict(order.shipping_address),
        currency=order.currency,
        total=order.total,
        is_paid=order.is_paid,
        placed_at=order.created_at,
        external_updated_at=order.updated_at,
    )


def order_details_of(*, order: OrderDTO) -> OrderDetails:
    """The amounts and buyer details a channel snapshot carries, for :func:`order_details_fill`."""
    return OrderDetails(
        currency=order.currency, total=order.total, customer_name=order.customer_name,
        customer_email=order.customer_email, shipping_address=order.shipping_address,
        line_prices={line.external_line_id: line.unit_price for line in order.lines if line.unit_price},
    )  # fmt: skip


def _line_cancellations_apply(*, account: ChannelAccount, order: Order, dto: OrderDTO) -> None:
    """Release the units the channel cancelled on lines of a still open order."""
    lines = {line.external_line_id: line for line in order.lines.all()}
    quantities: dict[int, int] = {}
    units: dict[str, int] = defaultdict(int)
    for dto_line in dto.lines:
        line = lines.get(dto_line.external_line_id)
        if line is None:
            continue
        extra = min(dto_line.quantity_cancelled - line.quantity_cancelled, line.quantity_open)
        if extra > 0:
            quantities[line.pk] = extra
            if dto_line.listing_external_id:
                units[dto_line.listing_external_id] += extra
    if not quantities:
        return
    try:
        order_lines_cancel(order=order, quantities=quantities, reason="reduced on the channel")
    except OrderError as exc:
        _order_flag(order=order, reason=f"Channel line cancellation not applied: {exc}")
        return
    if connector_class_get(kind=account.kind).restocks_on_cancel:
        listings_belief_shift(account=account, units=units, sign=1)


def _order_flag(*, order: Order, reason: str) -> None:
    if reason in order.attention_reason:
        return
    text = f"{order.attention_reason}\n{reason}".strip()
    Order.objects.filter(pk=order.pk).update(
        needs_attention=True, attention_reason=text, updated_at=timezone.now()
    )


def _fulfilment_apply(*, account: ChannelAccount, order: Order, dto: OrderDTO) -> None:
    lines = {line.external_line_id: line for line in order.lines.all()}
    quantities: dict[int, int] = {}
    for dto_line in dto.lines:
        line = lines.get(dto_line.external_line_id)
        if line is None:
            continue
        target = dto_line.quantity_fulfilled
        if dto.status == "fulfilled" and not target:
            target = line.quantity - line.quantity_cancelled
        extra = min(target, line.quantity - line.quantity_cancelled) - line.quantity_shipped
        if extra <= 0:
            continue
        if line.sku_id is None:
            _order_flag(
                order=order, reason=f"Channel shipped line {line.external_line_id} with an unknown SKU"
            )
            continue
        quantities[line.pk] = extra
    if not quantities:
        return
    key = ",".join(f"{pk}={lines_q}" for pk, lines_q in sorted(quantities.items()))
    try:
        order_ship(
            order=order,
            quantities=quantities,
            reference=f"channel:{account.pk}:{order.external_ref}",
            idempotency_key=f"channel-ship:{account.pk}:{order.external_ref}:{dto.updated_at.isoformat()}:{key}",
            from_channel=True,
        )
    except OrderError as exc:
        _order_flag(order=order, reason=f"Channel fulfilment not applied: {exc}")


def order_intake_apply(*, account: ChannelAccount, order: OrderDTO) -> Order:
    """Bring our copy of a channel order to the snapshot ``order``; see
    :func:`order_intake_snapshot_apply` (this returns only the order)."""
    return order_intake_snapshot_apply(account=account, order=order)[0]


def order_intake_snapshot_apply(
    *, account: ChannelAccount, order: OrderDTO, batch: IntakeBatch | None = None
) -> tuple[Order, bool]:
    """Bring our copy of a channel order to the snapshot ``order``; idempotent, any event order.

    Creates the order (reserving stock from the account's locations, flagging shortages and
    unknown SKUs instead of refusing), cancels it when the channel did, ships lines the channel
    fulfilled. A snapshot older (by the channel's ``updated_at``) than the one already applied is
    skipped and ``(order, False)`` returned; equal timestamps are applied (every step only moves
    forward, so a repeat changes nothing). Marks the affected listings dirty in the same
    transaction; within a ``batch`` it uses the batch's reads and leaves the marking (of
    ``batch.sku_ids``) and the push request to the caller. Returns ``(order, applied)``.
    """
    channel = account.sales_channel
    with transaction.atomic(savepoint=False):
        existing = None
        if batch is None or order.external_id not in batch.absent_refs:
            existing = (
                Order.objects.select_for_update()
                .filter(channel=channel, external_ref=order.external_id)
                .first()
            )
        if existing is None:
            created_order, created = order_create(
                channel=channel,
                data=_order_input(account=account, order=order, batch=batch),
                location_ids=batch.location_ids if batch else account_location_ids(account=account),
                shortage="flag",
            )
            if batch is not None:
                batch.absent_refs.discard(order.external_id)
            if not created:  # created concurrently by another delivery: lock that one
                created_order = Order.objects.select_for_update().get(pk=created_order.pk)
            existing = created_order
            if created:
                listings_belief_shift(
                    account=account, units=order_listing_units(order=order), sign=-1, sold_at=order.created_at
                )
            fresh = created
        elif existing.external_updated_at is not None and order.updated_at < existing.external_updated_at:
            return existing, False
        else:
            fresh = False
        if order.status == "cancelled":
            if existing.status in (OrderStatus.OPEN, OrderStatus.PARTIALLY_SHIPPED):
                open_before = {line.external_line_id: line.quantity_open for line in existing.lines.all()}
                existing = order_cancel(order=existing, reason="cancelled on the channel")
                if connector_class_get(kind=account.kind).restocks_on_cancel:
                    units: dict[str, int] = defaultdict(int)
                    for line in order.lines:
                        if line.listing_external_id:
                            units[line.listing_external_id] += open_before.get(line.external_line_id, 0)
                    listings_belief_shift(account=account, units=units, sign=1)
        elif existing.status != OrderStatus.CANCELLED:
            if any(line.quantity_cancelled for line in order.lines):
                _line_cancellations_apply(account=account, order=existing, dto=order)
                existing.refresh_from_db()
            fulfilled = order.status == "fulfilled" or any(line.quantity_fulfilled for line in order.lines)
            if fulfilled and existing.status != OrderStatus.CANCELLED:
                _fulfilment_apply(account=account, order=existing, dto=order)
        details = order_details_of(order=order)
        if not fresh and order_details_missing(order=existing, details=details):
            order_details_fill(order=existing, details=details)  # e.g. prices after a notification
        if existing.external_updated_at is None or order.updated_at > existing.external_updated_at:
            Order.objects.filter(pk=existing.pk).update(
                external_updated_at=order.updated_at, updated_at=timezone.now()
            )
        if batch is not None:
            return existing, True
        sku_ids = set(existing.lines.exclude(sku__isnull=True).values_list("sku_id", flat=True))
        account_ids = listings_mark_dirty(sku_ids=sku_ids, include_kits=True)
        # Account rows are shared by every concurrent intake: touch them only after commit.
        transaction.on_commit(
            lambda: intake_after_commit(account_id=account.pk, push_account_ids=account_ids)
        )
    return existing, True


def orders_intake_create_many(
    *, account: ChannelAccount, orders: Sequence[OrderDTO], batch: IntakeBatch
) -> list[Order]:
    """Create many new orders of the account at once (each snapshot open, nothing cancelled or
    fulfilled, its external id in ``batch.absent_refs``), reserving stock and flagging as
    :func:`order_intake_snapshot_apply` would, and shift what we believe the channel shows by
    the units it sold. The caller marks ``batch.sku_ids`` dirty and requests the pushes."""
    order_rows = orders_create_many(
        channel=account.sales_channel,
        orders=[_order_input(account=account, order=order, batch=batch) for order in orders],
        location_ids=batch.location_ids,
        shortage="flag",
    )
    units: dict[str, int] = defaultdict(int)
    for order in orders:
        batch.absent_refs.discard(order.external_id)
        for external_id, count in order_listing_units(order=order).items():
            units[external_id] += count
    placed = [order.created_at for order in orders]
    sold_at = None if None in placed else min(placed)  # the earliest sale may have raced
    listings_belief_shift(account=account, units=units, sign=-1, sold_at=sold_at)
    return order_rows


def intake_after_commit(*, account_id: int, push_account_ids: set[int]) -> None:
    """After an intake commits: request pushes, stamp the account's last intake."""
    account_push_request(account_ids=push_account_ids)
    ChannelAccount.objects.filter(pk=account_id).update(last_order_intake_at=timezone.now())


def inbound_event_process(*, event_id: int) -> InboundEvent:
    """Apply a stored event's order (once). A failure is recorded on the event and re-raised."""
    from channels_app.intake.batch import intake_rows_lock  # batch builds on this module

    with outbox_marks_scope(), transaction.atomic():
        event = (
            # of=("self",): lock only the event. FOR UPDATE through the join would also lock the
            # account and sales-channel rows for the whole intake, against the availability
            # listener, which locks listings then the account (a deadlock).
            InboundEvent.objects.select_for_update(of=("self",))
            .select_related("account__sales_channel")
            .get(pk=event_id)
        )
        if event.status != InboundEventStatus.PENDING and event.status != InboundEventStatus.FAILED:
            return event
        if event.order is None:
            event.status = InboundEventStatus.IGNORED
            event.save(update_fields=["status"])
            return event
        event.attempts += 1
        failure: Exception | None = None
        applied = True
        try:
            with transaction.atomic():
                snapshot = order_dto_load(data=event.order)
                # The drain's locks, in its order, before the order row (see intake_rows_lock).
                intake_rows_lock(account=event.account, orders=[snapshot])
                _order, applied = order_intake_snapshot_apply(account=event.account, order=snapshot)
        except Exception as exc:
            failure = exc
            event.status = InboundEventStatus.FAILED
            event.error = f"{type(exc).__name__}: {exc}"[:2000]
            event.save(update_fields=["status", "error", "attempts"])
            logger.exception("inbound event %s failed", event.pk)
        else:
            event.status = InboundEventStatus.PROCESSED if applied else InboundEventStatus.IGNORED
            event.processed_at = timezone.now()
            event.error = "" if applied else OLDER_SNAPSHOT
            event.save(update_fields=["status", "processed_at", "error", "attempts"])
    if failure is not None:
        raise failure
    return event


def webhook_receive(
    *, account: ChannelAccount, headers: Mapping[str, str], body: bytes
) -> tuple[InboundEvent, bool]:
    """Verify, parse and store one webhook delivery; enqueue a drain of the account after commit.

    The connector checks the signature before anything is parsed or stored
    (WebhookSignatureError); a verified but malformed body raises WebhookPayloadError and is
    recorded as a failed event with why (:func:`inbound_event_reject`), nothing applied.
    A repeated delivery (same event id) is stored once and processed once. A thin delivery (kind
    ``fetch``) is stored waiting for its order, which a worker fetches
    (:func:`channels_app.intake.fetch.inbound_event_fetch`). The event is applied
    by :func:`channels_app.intake.batch.account_inbound_events_drain`, which takes every
    pending event of the account in batches; the drain request is coalesced per account.
    """
    from channels_app.intake.batch import account_inbound_events_drain_request

    connector = account_connector(account=account)
    if not isinstance(connector, ReceivesWebhooks):
        raise WebhookSignatureError(f"{account.kind} channels send no HTTP webhooks")
    connector.webhook_verify(headers=headers, body=body)
    try:
        parsed = connector.webhook_parse(headers=headers, body=body)
    except WebhookPayloadError as exc:
        inbound_event_reject(account=account, body=body, topic="rejected", error=str(exc))
        raise
    with transaction.atomic():
        event, created = inbound_event_record(
            account=account,
            event_id=parsed.event_id,
            source="webhook",
            topic=parsed.topic,
            payload=parsed.payload,
            order=parsed.order,
            status=InboundEventStatus.FETCH if parsed.kind == "fetch" else None,
        )
        if created and event.status == InboundEventStatus.PENDING:
            transaction.on_commit(lambda: account_inbound_events_drain_request(account_id=account.pk))
        if created and event.status == InboundEventStatus.FETCH:
            transaction.on_commit(lambda: task_enqueue(name=task_names.INBOUND_EVENT_FETCH, args=(event.pk,)))
    return event, created
