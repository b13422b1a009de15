"""The exceptions queue: acknowledge keeps an order flagged, resolve clears it; both are history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from inventory_app.errors import OrderError
from inventory_app.models import AttentionAction, Order, OrderAttentionEvent, SalesChannel
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.orders.attention import order_attention_acknowledge, order_attention_resolve
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged() -> Order:
    order, _ = order_create(
        channel=SalesChannel.objects.get(code="manual"),
        data=OrderInput(external_ref="X-1", lines=[OrderLineInput("NOSUCH", 1)]),
    )
    return order


def test_acknowledge_records_who_and_keeps_the_order_in_the_queue(flagged):
    user = UserFactory(role="operator")

    event = order_attention_acknowledge(order=flagged, user=user, note="calling the buyer")

    flagged.refresh_from_db()
    assert (event.action, event.reason, event.note, event.user) == (
        AttentionAction.ACKNOWLEDGED,
        "Unknown SKU(s): NOSUCH",
        "calling the buyer",
        user,
    )
    assert (flagged.needs_attention, flagged.attention_reason) == (True, "Unknown SKU(s): NOSUCH")


def test_resolve_clears_the_flag_and_keeps_the_reason_in_the_history(flagged):
    order_attention_acknowledge(order=flagged)
    Order.objects.filter(pk=flagged.pk).update(updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    mark = timezone.now()

    order_attention_resolve(order=flagged, note="linked by hand")

    flagged.refresh_from_db()
    assert (flagged.needs_attention, flagged.attention_reason) == (False, "")
    assert flagged.updated_at >= mark  # an incremental sync sees the resolved order
    assert list(OrderAttentionEvent.objects.values_list("action", "reason", "note")) == [
        ("acknowledged", "Unknown SKU(s): NOSUCH", ""),
        ("resolved", "Unknown SKU(s): NOSUCH", "linked by hand"),
    ]


def test_an_order_without_attention_cannot_be_resolved_and_nothing_is_recorded(flagged):
    order_attention_resolve(order=flagged)

    with pytest.raises(OrderError, match="does not need attention"):
        order_attention_resolve(order=flagged)
    with pytest.raises(OrderError):
        order_attention_acknowledge(order=flagged)

    assert OrderAttentionEvent.objects.count() == 1
