"""Purchase orders, receiving through the ledger, over-receipt, reversal and back-dated receipts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory_app.errors import InvalidStockOperation
from inventory_app.models import (
    CostLayer,
    MovementReason,
    PurchaseOrderStatus,
    Receipt,
    StockLevel,
    StockMovement,
    Supplier,
)
from inventory_app.selectors.costing import inventory_valuation, order_cogs
from inventory_app.selectors.purchasing import sku_incoming
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.purchasing import (
    PurchaseLineInput,
    PurchasingError,
    purchase_order_cancel,
    purchase_order_close,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
    receipt_reverse,
    supplier_create,
    supplier_item_set,
)
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SalesChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db

D = Decimal


def _sent_order(sku, quantity=10, unit_cost=None, **kwargs):
    supplier = Supplier.objects.filter(code="acme").first() or supplier_create(code="acme", name="Acme")
    order = purchase_order_create(
        supplier=supplier,
        lines=[PurchaseLineInput(sku_id=sku.pk, quantity=quantity, unit_cost=unit_cost)],
        **kwargs,
    )
    return purchase_order_send(purchase_order=order)


def _on_hand(sku, loc) -> int:
    return StockLevel.objects.get(sku=sku, location=loc).on_hand


def test_po_line_takes_the_supplier_price_and_counts_as_incoming_once_sent():
    sku = SKUFactory(default_unit_cost=D("9.00"))
    supplier = supplier_create(code="acme", name="Acme")
    supplier_item_set(supplier=supplier, sku=sku, unit_price=D("4.2500"), supplier_sku="AC-1")

    order = purchase_order_create(supplier=supplier, lines=[PurchaseLineInput(sku_id=sku.pk, quantity=10)])

    line = order.lines.get()
    assert (order.number, order.status) == (f"PO-{order.pk:06d}", PurchaseOrderStatus.DRAFT)
    assert (line.unit_cost, line.supplier_sku) == (D("4.2500"), "AC-1")
    assert sku_incoming(sku_ids=[sku.pk]) == {}
    purchase_order_send(purchase_order=order)
    assert sku_incoming(sku_ids=[sku.pk]) == {sku.pk: 10}


def test_partial_receipt_moves_stock_at_unit_cost_and_updates_the_order():
    sku, loc = SKUFactory(), LocationFactory()
    order = _sent_order(sku, quantity=10, unit_cost=D("2.5000"))
    line = order.lines.get()

    receipt = purchase_order_receive(
        purchase_order=order, location=loc, quantities={line.pk: 4}, reference="DN-7"
    )

    movement = receipt.operation.movements.get()
    assert (movement.reason, movement.on_hand_delta, movement.unit_cost, movement.value_delta) == (
        MovementReason.RECEIPT,
        4,
        D("2.5000"),
        D("10.00"),
    )
    line.refresh_from_db()
    order.refresh_from_db()
    assert (line.quantity_received, order.status) == (4, PurchaseOrderStatus.PARTIALLY_RECEIVED)
    assert sku_incoming(sku_ids=[sku.pk]) == {sku.pk: 6}
    assert _on_hand(sku, loc) == 4


def test_same_receipt_key_receives_once():
    sku, loc = SKUFactory(), LocationFactory()
    order = _sent_order(sku)
    line = order.lines.get()

    first = purchase_order_receive(
        purchase_order=order, location=loc, quantities={line.pk: 3}, idempotency_key="dn-1"
    )
    again = purchase_order_receive(
        purchase_order=order, location=loc, quantities={line.pk: 3}, idempotency_key="dn-1"
    )

    assert again.pk == first.pk
    assert _on_hand(sku, loc) == 3
    assert Receipt.objects.count() == 1
    line.refresh_from_db()
    assert line.quantity_received == 3


def test_over_receipt_beyond_tolerance_is_refused_and_changes_nothing():
    sku, loc = SKUFactory(), LocationFactory()
    order = _sent_order(sku, quantity=10, over_receipt_tolerance_percent=D("15"))  # limit 11.5 -> 11
    line = order.lines.get()

    with pytest.raises(PurchasingError, match="exceeds the 11 allowed"):
        purchase_order_receive(purchase_order=order, location=loc, quantities={line.pk: 12})

    assert not StockMovement.objects.exists()
    assert not Receipt.objects.exists()
    purchase_order_receive(purchase_order=order, location=loc, quantities={line.pk: 11})
    order.refresh_from_db()
    assert order.status == PurchaseOrderStatus.RECEIVED
    assert sku_incoming(sku_ids=[sku.pk]) == {}


def test_receipt_reversal_is_a_counter_movement_at_the_receipt_value():
    sku, loc = SKUFactory(), LocationFactory()
    order = _sent_order(sku, quantity=5, unit_cost=D("2.00"))
    receipt = purchase_order_receive(purchase_order=order, location=loc, quantities={order.lines.get().pk: 5})
    received = receipt.operation.movements.get()

    receipt_reverse(receipt=receipt, note="wrong delivery")
    receipt_reverse(receipt=receipt)  # a second call changes nothing

    receipt.refresh_from_db()
    counter = receipt.reversal_operation.movements.get()
    assert (counter.on_hand_delta, counter.value_delta, counter.reverses_id) == (-5, D("-10.00"), received.pk)
    assert StockMovement.objects.get(pk=received.pk).on_hand_delta == 5  # history untouched
    assert StockMovement.objects.count() == 2
    assert _on_hand(sku, loc) == 0
    order.refresh_from_db()
    assert (order.lines.get().quantity_received, order.status) == (0, PurchaseOrderStatus.SENT)
    assert inventory_valuation(sku_ids=[sku.pk]) == []


def test_reversal_refused_once_the_received_units_were_sold():
    sku, loc = SKUFactory(), LocationFactory()
    order = _sent_order(sku, quantity=2, unit_cost=D("1.00"))
    receipt = purchase_order_receive(purchase_order=order, location=loc, quantities={order.lines.get().pk: 2})
    stock_receive(sku=sku, location=loc, quantity=5, unit_cost=D("3.00"))  # enough units, other layer
    sale, _ = order_create(
        channel=SalesChannelFactory(code="shop"),
        data=OrderInput(external_ref="s1", lines=[OrderLineInput(sku_code=sku.code, quantity=1)]),
    )
    order_ship(order=sale)

    with pytest.raises(InvalidStockOperation, match="already consumed"):
        receipt_reverse(receipt=receipt)  # the sale took one of its units (oldest first)

    receipt.refresh_from_db()
    assert receipt.reversal_operation is None
    assert _on_hand(sku, loc) == 6
    assert order.lines.get().quantity_received == 2


def test_order_states_refuse_what_they_do_not_allow():
    sku, loc = SKUFactory(), LocationFactory()
    supplier = supplier_create(code="other", name="Other")
    draft = purchase_order_create(supplier=supplier, lines=[PurchaseLineInput(sku_id=sku.pk, quantity=2)])

    with pytest.raises(PurchasingError):
        purchase_order_receive(purchase_order=draft, location=loc, quantities={draft.lines.get().pk: 1})
    with pytest.raises(PurchasingError):
        purchase_order_close(purchase_order=draft)

    purchase_order_send(purchase_order=draft)
    purchase_order_receive(purchase_order=draft, location=loc, quantities={draft.lines.get().pk: 1})
    with pytest.raises(PurchasingError):
        purchase_order_cancel(purchase_order=draft)
    closed = purchase_order_close(purchase_order=draft)
    assert closed.status == PurchaseOrderStatus.CLOSED
    assert sku_incoming(sku_ids=[sku.pk]) == {}  # the unreceived unit is no longer expected


def test_exchange_rate_converts_the_unit_cost():
    sku, loc = SKUFactory(), LocationFactory()
    order = _sent_order(sku, quantity=3, unit_cost=D("10.0000"), exchange_rate=D("1.105"))

    receipt = purchase_order_receive(purchase_order=order, location=loc, quantities={order.lines.get().pk: 3})

    # 10.0000 x 1.105 = 11.0500 a unit; 3 units = 33.15
    assert receipt.lines.get().value == D("33.15")
    assert CostLayer.objects.get(sku=sku).unit_cost == D("11.0500")


def test_backdated_receipt_does_not_recost_sales_already_costed():
    sku, loc = SKUFactory(), LocationFactory()
    first = _sent_order(sku, quantity=2, unit_cost=D("1.00"))
    purchase_order_receive(purchase_order=first, location=loc, quantities={first.lines.get().pk: 2})
    channel = SalesChannelFactory(code="shop")
    sale, _ = order_create(
        channel=channel,
        data=OrderInput(external_ref="s1", lines=[OrderLineInput(sku_code=sku.code, quantity=2)]),
    )
    order_ship(order=sale)
    before_posting = timezone.now()
    late = _sent_order(sku, quantity=3, unit_cost=D("4.00"))

    # The supplier's note is dated a week ago, before the sale; it is posted now.
    purchase_order_receive(
        purchase_order=late,
        location=loc,
        quantities={late.lines.get().pk: 3},
        document_date=(timezone.now() - timedelta(days=7)).date(),
    )

    assert order_cogs(order_id=sale.pk).cogs == D("2.00")  # still 2 x 1.00: history is not re-costed
    assert inventory_valuation(as_of=before_posting, sku_ids=[sku.pk]) == []  # not in the past valuation
    later, _ = order_create(
        channel=channel,
        data=OrderInput(external_ref="s2", lines=[OrderLineInput(sku_code=sku.code, quantity=1)]),
    )
    order_ship(order=later)
    assert order_cogs(order_id=later.pk).cogs == D("4.00")  # the late layer feeds the next sale


@pytest.mark.embedded
def test_po_sent_received_in_two_deliveries_then_sold_moves_stock_and_costs_the_sale_at_the_po_cost():
    sku, loc = SKUFactory(), LocationFactory()
    order = _sent_order(sku, quantity=10, unit_cost=D("2.5000"))
    line = order.lines.get()
    assert sku_incoming(sku_ids=[sku.pk]) == {sku.pk: 10}

    purchase_order_receive(purchase_order=order, location=loc, quantities={line.pk: 6}, reference="DN-1")
    purchase_order_receive(purchase_order=order, location=loc, quantities={line.pk: 4}, reference="DN-2")
    sale, _ = order_create(
        channel=SalesChannelFactory(code="shop"),
        data=OrderInput(external_ref="s1", lines=[OrderLineInput(sku_code=sku.code, quantity=3)]),
    )
    order_ship(order=sale)

    order.refresh_from_db()
    assert order.status == PurchaseOrderStatus.RECEIVED and sku_incoming(sku_ids=[sku.pk]) == {}
    level = StockLevel.objects.get(sku=sku, location=loc)
    assert (level.on_hand, level.committed) == (7, 0)
    assert order_cogs(order_id=sale.pk).cogs == D("7.50")
    (row,) = inventory_valuation(sku_ids=[sku.pk])
    assert (row.quantity, row.value) == (7, D("17.50"))
    assert list(
        StockMovement.objects.filter(sku=sku).order_by("pk").values_list("reason", "on_hand_delta")
    ) == [
        (MovementReason.RECEIPT, 6),
        (MovementReason.RECEIPT, 4),
        ("reserve", 0),
        ("shipment", -3),
    ]
