"""New sales: taken in, reserved, accepted; refused only when stock is short and the rule says
so; never answered twice, also when an answer was lost or a second worker runs; current sales
paged by nexttoken; two-day window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from channels_app.connectors.rakuten.answers import account_sales_answer
from channels_app.intake.polling import account_orders_sync
from channels_app.models import RakutenSaleAnswer
from inventory_app.models import Order, StockLevel

pytestmark = pytest.mark.django_db


def _level(sku, location):
    level = StockLevel.objects.get(sku=sku, location=location)
    return level.on_hand, level.committed


def test_a_sale_is_taken_in_reserved_and_accepted(rakuten, stocked):
    account, sku, location = stocked(on_hand=3)
    sale = rakuten.state.buy("LINEN-1", 2)

    summary = account_sales_answer(account_id=account.pk)

    assert (summary.awaiting, summary.taken_in, summary.accepted, summary.refused) == (2, 1, 2, 0)
    order = Order.objects.get(external_ref=sale.purchase_id)
    assert sorted((line.external_line_id, line.quantity) for line in order.lines.all()) == sorted(
        (item.item_id, 1) for item in sale.items
    )
    assert _level(sku, location) == (3, 2)
    assert [item.status for item in sale.items] == ["ACCEPTED", "ACCEPTED"]
    assert [item.answers for item in sale.items] == [1, 1]
    assert order.currency == "EUR"


def test_a_sale_beyond_the_stock_is_refused_and_its_reservation_released(rakuten, stocked):
    account, sku, location = stocked(on_hand=1)
    rakuten.state.adverts["LINEN-1"].quantity = 2  # Rakuten shows more than we have
    sale = rakuten.state.buy("LINEN-1", 2)

    summary = account_sales_answer(account_id=account.pk)

    assert (summary.accepted, summary.refused) == (1, 1)
    assert sorted(item.status for item in sale.items) == ["ACCEPTED", "REFUSED"]
    assert _level(sku, location) == (1, 1)  # never beyond the stock
    order = Order.objects.get(external_ref=sale.purchase_id)
    assert sorted(line.quantity_cancelled for line in order.lines.all()) == [0, 1]


def test_with_the_accept_and_flag_rule_a_short_sale_is_accepted_and_flagged(rakuten, stocked):
    account, sku, location = stocked(on_hand=1, short_stock_rule="accept_and_flag")
    rakuten.state.adverts["LINEN-1"].quantity = 2
    sale = rakuten.state.buy("LINEN-1", 2)

    summary = account_sales_answer(account_id=account.pk)

    assert (summary.accepted, summary.refused) == (2, 0)
    assert [item.status for item in sale.items] == ["ACCEPTED", "ACCEPTED"]
    order = Order.objects.get(external_ref=sale.purchase_id)
    assert order.needs_attention is True
    assert "Oversold" in order.attention_reason
    assert _level(sku, location) == (1, 1)  # what there is reserved, never below zero


def test_a_sale_is_never_answered_twice_by_repeated_cycles(rakuten, stocked):
    account, _sku, _location = stocked(on_hand=3)
    sale = rakuten.state.buy("LINEN-1", 1)

    account_sales_answer(account_id=account.pk)
    again = account_sales_answer(account_id=account.pk)

    assert (again.awaiting, again.accepted, again.refused) == (0, 0, 0)
    assert rakuten.calls["acceptsale"] + rakuten.calls["refusesale"] == 1
    assert sale.items[0].answers == 1
    assert RakutenSaleAnswer.objects.get().state == "answered"


def test_an_answer_whose_reply_was_lost_is_not_sent_again(rakuten, stocked):
    """The worker died after Rakuten took the acceptance but before it recorded it."""
    account, _sku, _location = stocked(on_hand=3)
    sale = rakuten.state.buy("LINEN-1", 1)
    item = sale.items[0]
    account_sales_answer(account_id=account.pk)
    RakutenSaleAnswer.objects.filter(item_id=item.item_id).update(
        state="decided", attempts=1, answered_at=None
    )

    summary = account_sales_answer(account_id=account.pk)

    assert summary.elsewhere == 1
    assert rakuten.calls["acceptsale"] == 1
    assert RakutenSaleAnswer.objects.get().state == "elsewhere"


def test_a_decision_is_kept_when_the_call_fails_and_made_once(rakuten, stocked):
    """Quota exceeded on acceptsale: the decision stays, the next cycle sends that same answer."""
    account, _sku, _location = stocked(on_hand=1)
    sale = rakuten.state.buy("LINEN-1", 1)
    rakuten.faults.quota, rakuten.faults.quota_action = 1, "acceptsale"

    first = account_sales_answer(account_id=account.pk)

    assert first.retry_after == 60.0
    assert RakutenSaleAnswer.objects.get().state == "decided"
    assert sale.items[0].status == "REQUESTED"

    second = account_sales_answer(account_id=account.pk)

    assert second.accepted == 1
    assert sale.items[0].status == "ACCEPTED"
    assert sale.items[0].answers == 1
    assert RakutenSaleAnswer.objects.count() == 1
    assert rakuten.calls["acceptsale"] == 2  # the refused call and the one that went through


def test_a_sale_not_answered_within_two_days_is_cancelled_and_released(rakuten, stocked):
    account, sku, location = stocked(on_hand=2)
    sale = rakuten.state.buy("LINEN-1", 1)
    account_orders_sync(account_id=account.pk)  # taken in by the poll, not answered
    assert _level(sku, location) == (2, 1)

    rakuten.advance(timedelta(days=2).total_seconds())
    account_orders_sync(account_id=account.pk)
    summary = account_sales_answer(account_id=account.pk)

    assert sale.items[0].status == "CANCELLED"
    assert summary.awaiting == 0
    assert rakuten.calls["acceptsale"] == 0


def test_current_sales_are_read_page_by_page_with_nexttoken(rakuten, stocked):
    account, _sku, _location = stocked(on_hand=10)
    for _ in range(5):
        rakuten.state.buy("LINEN-1", 1)
    account_sales_answer(account_id=account.pk)
    rakuten.requests.clear()

    result = account_orders_sync(account_id=account.pk)

    assert result["orders"] == 5 + 0  # 0 new sales, 5 current sales over 3 pages
    assert [(a, p.get("nexttoken", "")) for a, p in rakuten.requests] == [
        ("getnewsales", ""),
        ("getcurrentsales", ""),
        ("getcurrentsales", "2"),
        ("getcurrentsales", "4"),
    ]


def test_an_answer_in_flight_on_another_worker_is_not_sent_again_until_its_lease_runs_out(rakuten, stocked):
    account, _sku, _location = stocked(on_hand=3)
    sale = rakuten.state.buy("LINEN-1", 1)
    rakuten.faults.quota, rakuten.faults.quota_action = 1, "acceptsale"
    account_sales_answer(account_id=account.pk)  # decided; the call refused by the quota
    RakutenSaleAnswer.objects.update(attempted_at=timezone.now())  # a worker's call in flight

    busy = account_sales_answer(account_id=account.pk)
    assert (busy.accepted, sale.items[0].status) == (0, "REQUESTED")

    RakutenSaleAnswer.objects.update(attempted_at=timezone.now() - timedelta(seconds=61))  # it died
    later = account_sales_answer(account_id=account.pk)

    assert (later.accepted, sale.items[0].status, sale.items[0].answers) == (1, "ACCEPTED", 1)
