"""Shipment recording: the fulfilment queued for the channel, manual channels, concurrency."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from channels_app.models import ChannelOrderPush, OrderPushStatus
from inventory_app.models import StockLevel, StockOperation
from shipping_app.models import OrderExport, Shipment
from shipping_app.providers.dto import ShipmentDTO, ShipmentLineDTO
from shipping_app.services.shipments import shipment_record
from tests.parallel import run_parallel

pytestmark = pytest.mark.django_db(transaction=True)


def _exported(account, order) -> None:
    OrderExport.objects.create(account=account, order=order, order_key=f"sm-{order.pk}", state="exported")


def _dto(order, **kwargs) -> ShipmentDTO:
    return ShipmentDTO(
        external_id=kwargs.pop("external_id", "S-1"),
        order_key=f"sm-{order.pk}",
        carrier="ups",
        tracking_number="1Z999",
        cost=Decimal("6.10"),
        **kwargs,
    )


def test_fulfilment_of_a_channel_without_account_stays_queued(shipstation_account, stocked_order):
    order = stocked_order()
    _exported(shipstation_account, order)

    shipment_record(account=shipstation_account, dto=_dto(order))

    # The delivery task ran after commit: no channel account for this channel, so it stays queued.
    push = ChannelOrderPush.objects.get()
    assert (push.status, push.attempts) == (OrderPushStatus.QUEUED, 1)
    assert push.last_error == "No enabled channel account for this channel yet: kept queued"
    assert push.next_attempt_at is not None
    assert (push.shipment.carrier, push.shipment.tracking_number) == ("ups", "1Z999")


def test_manual_channel_orders_need_no_fulfilment(shipstation_account, stocked_order):
    order = stocked_order(channel_kind="manual")
    _exported(shipstation_account, order)

    shipment_record(account=shipstation_account, dto=_dto(order))

    assert ChannelOrderPush.objects.count() == 0
    assert order.shipments.get().tracking_number == "1Z999"


def test_units_not_open_are_left_out_and_noted(shipstation_account, stocked_order):
    order = stocked_order([("WIDGET", 2)])
    _exported(shipstation_account, order)

    shipment, shipped = shipment_record(
        account=shipstation_account, dto=_dto(order, lines=[ShipmentLineDTO(quantity=5, sku="WIDGET")])
    )

    assert shipped is True
    assert [(line.quantity) for line in shipment.lines.all()] == [2]
    assert shipment.attention_reason == "3 unit(s) of WIDGET are not open on the order"
    assert StockLevel.objects.get(sku__code="WIDGET").on_hand == 8


def test_a_voided_shipment_ships_nothing(shipstation_account, stocked_order):
    order = stocked_order()
    _exported(shipstation_account, order)

    shipment, shipped = shipment_record(account=shipstation_account, dto=_dto(order, voided=True))

    assert (shipped, shipment.status) == (False, "voided")
    assert StockOperation.objects.filter(reason="shipment").count() == 0
    assert ChannelOrderPush.objects.count() == 0


def test_the_same_shipment_recorded_by_four_threads_at_once_ships_once(shipstation_account, stocked_order):
    order = stocked_order([("WIDGET", 3)])
    _exported(shipstation_account, order)

    outcomes = run_parallel(4, lambda i: shipment_record(account=shipstation_account, dto=_dto(order))[1])

    assert outcomes == Counter({True: 1, False: 3})
    assert Shipment.objects.count() == 1
    assert StockOperation.objects.filter(reason="shipment").count() == 1
    assert StockLevel.objects.get(sku__code="WIDGET").on_hand == 7
    assert ChannelOrderPush.objects.count() == 1
