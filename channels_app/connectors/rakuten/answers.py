"""New sales: take them in, decide once per item, then accept or refuse on Rakuten.

:func:`account_sales_answer` is one cycle for one account (the beat task runs it every few
minutes, ``RAKUTEN_SALES_SECONDS``):

1. getnewsales: every sale awaiting acceptance. Each is stored and applied through the engine's
   intake (the same event id as the order poll's, so a sale is taken in once), which reserves
   its stock (a channel order is never dropped: what cannot be reserved is flagged "Oversold").
2. Decide each awaiting item that has no answer yet: **accept** when its units are reserved (or
   its SKU may be backordered); otherwise the account's ``short_stock_rule``: ``refuse`` (the
   default) or ``accept_and_flag``. The decision row (:class:`RakutenSaleAnswer`, unique per
   item) is written in one transaction with the local cancellation of a refused item, so a
   refusal releases its units exactly once. Items of unknown SKUs are left to the seller.
3. Answer each decided item still awaiting: the attempt (``attempted_at``, a lease of
   ``ANSWER_LEASE`` against a second worker) is committed before the call; an item that is no
   longer awaiting was answered by our earlier call (its answer lost)
   or in the back office, and is marked so without another call. "Quota exceeded" stops the
   cycle (the task retries after the wait).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.rakuten.mapping import REQUESTED, sale_items, sale_to_order
from channels_app.connectors.xmlsafe import text
from channels_app.intake.orders import inbound_event_process, inbound_event_record, polled_event_id
from channels_app.models import ChannelAccount, InboundEventStatus, RakutenSaleAnswer
from channels_app.models.rakuten import RakutenAnswerDecision, RakutenAnswerState
from channels_app.services.accounts import account_connector
from inventory_app.errors import OrderError
from inventory_app.models import Order, OrderLine, OrderStatus
from inventory_app.services.orders import order_lines_cancel

logger = logging.getLogger(__name__)
# A call started this long ago by a worker that has not recorded its end may be made again
# (the item is then re-checked against getnewsales first).
ANSWER_LEASE = timedelta(seconds=60)


@dataclass
class AnswerSummary:
    """What one cycle did."""

    awaiting: int = 0
    taken_in: int = 0
    accepted: int = 0
    refused: int = 0
    elsewhere: int = 0
    undecided: int = 0
    errors: list[str] = field(default_factory=list)
    retry_after: float | None = None


def _line_covered(*, line: OrderLine, order: Order) -> bool:
    """True when the line's open units are reserved (or its SKU may be backordered)."""
    if line.backordered:
        return True
    if line.sku.is_kit:  # components reserved per recipe: the intake flagged any shortfall
        return "Oversold" not in order.attention_reason
    held = line.allocations.aggregate(units=Sum("quantity"))["units"] or 0
    return held >= line.quantity_open


def _decide(*, account: ChannelAccount, awaiting: dict[str, str], rule: str, summary: AnswerSummary) -> None:
    """Write the decision of every awaiting item that has none (module docstring, step 2)."""
    known = set(
        RakutenSaleAnswer.objects.filter(account=account, item_id__in=awaiting).values_list(
            "item_id", flat=True
        )
    )
    for item_id, purchase_id in awaiting.items():
        if item_id in known:
            continue
        line = (
            OrderLine.objects.filter(
                order__channel_id=account.sales_channel_id,
                order__external_ref=purchase_id,
                external_line_id=item_id,
            )
            .select_related("order", "sku")
            .first()
        )
        if line is None or line.sku is None or line.order.status != OrderStatus.OPEN:
            summary.undecided += 1  # not taken in, unknown SKU, or cancelled here: the seller decides
            continue
        covered = _line_covered(line=line, order=line.order)
        accept = covered or rule == "accept_and_flag"
        try:
            with transaction.atomic():
                RakutenSaleAnswer.objects.create(
                    account=account,
                    purchase_id=purchase_id,
                    item_id=item_id,
                    decision=RakutenAnswerDecision.ACCEPT if accept else RakutenAnswerDecision.REFUSE,
                )
                if not accept and line.quantity_open > 0:
                    order_lines_cancel(
                        order=line.order,
                        quantities={line.pk: line.quantity_open},
                        reason=f"Rakuten item {item_id} refused: not enough stock",
                    )
        except IntegrityError:
            continue  # another worker decided it first
        except OrderError as exc:
            summary.errors.append(f"item {item_id}: {exc}")


def _answer(*, account: ChannelAccount, connector, awaiting: dict[str, str], summary: AnswerSummary) -> None:
    """Answer every decided item once (module docstring, step 3)."""
    for answer in RakutenSaleAnswer.objects.filter(account=account, state=RakutenAnswerState.DECIDED):
        if answer.item_id not in awaiting:
            # Answered by an earlier call whose answer was lost, in the back office, or expired.
            RakutenSaleAnswer.objects.filter(pk=answer.pk, state=RakutenAnswerState.DECIDED).update(
                state=RakutenAnswerState.ANSWERED_ELSEWHERE, answered_at=timezone.now()
            )
            summary.elsewhere += 1
            continue
        now = timezone.now()
        claimed = (
            RakutenSaleAnswer.objects.filter(pk=answer.pk, state=RakutenAnswerState.DECIDED)
            .filter(Q(attempted_at__isnull=True) | Q(attempted_at__lt=now - ANSWER_LEASE))
            .update(attempts=F("attempts") + 1, attempted_at=now)
        )
        if not claimed:
            continue  # another worker's call is in flight (or was, less than the lease ago)
        accept = answer.decision == RakutenAnswerDecision.ACCEPT
        try:
            connector.sale_answer(item_id=answer.item_id, accept=accept)
        except RetryableError as exc:
            # Rakuten answered (quota, server error): the call was not applied, no lease to wait
            # out. A timeout (no answer) keeps the lease: the next try re-checks getnewsales first.
            lease = {"attempted_at": None} if exc.status is not None else {}
            RakutenSaleAnswer.objects.filter(pk=answer.pk).update(last_error=str(exc)[:2000], **lease)
            summary.retry_after = exc.retry_after or 60.0
            summary.errors.append(str(exc))
            return
        except ConnectorError as exc:
            # e.g. "not in a state allowing this action": it is no longer awaiting our answer.
            RakutenSaleAnswer.objects.filter(pk=answer.pk).update(
                state=RakutenAnswerState.ANSWERED_ELSEWHERE,
                last_error=str(exc)[:2000],
                answered_at=timezone.now(),
            )
            summary.errors.append(str(exc))
            summary.elsewhere += 1
            continue
        RakutenSaleAnswer.objects.filter(pk=answer.pk).update(
            state=RakutenAnswerState.ANSWERED, last_error="", answered_at=timezone.now()
        )
        if accept:
            summary.accepted += 1
        else:
            summary.refused += 1


def account_sales_answer(*, account_id: int) -> AnswerSummary:
    """One cycle of take-in, decision and answers for one Rakuten account (module docstring)."""
    summary = AnswerSummary()
    account = ChannelAccount.objects.filter(pk=account_id, enabled=True, kind="rakuten").first()
    if account is None:
        return summary
    connector = account_connector(account=account)
    try:
        sales = connector.new_sales()
    except RetryableError as exc:
        summary.retry_after = exc.retry_after or 60.0
        summary.errors.append(str(exc))
        return summary
    now = timezone.now()
    awaiting: dict[str, str] = {}
    for sale in sales:
        order = sale_to_order(sale, fallback_time=now)
        event, _created = inbound_event_record(
            account=account,
            event_id=polled_event_id(order=order),
            source="poll",
            topic="order.polled",
            payload={"order_id": order.external_id, "updated_at": order.updated_at.isoformat()},
            order=order,
        )
        if event.status in (InboundEventStatus.PENDING, InboundEventStatus.FAILED):
            inbound_event_process(event_id=event.pk)
            summary.taken_in += 1
        for item in sale_items(sale):
            if text(item, "itemstatus").upper() in ("", REQUESTED):
                awaiting[text(item, "itemid")] = order.external_id
    summary.awaiting = len(awaiting)
    _decide(account=account, awaiting=awaiting, rule=connector.short_stock_rule, summary=summary)
    _answer(account=account, connector=connector, awaiting=awaiting, summary=summary)
    return summary
