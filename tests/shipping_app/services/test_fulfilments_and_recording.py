"""The fulfilment outbox and shipment recording: queued and visible, manual channels, concurrency."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from inventory_app.models import StockLevel, StockOperation
from shipping_app.models import ChannelFulfilmentRequest, FulfilmentRequestStatus, OrderExport, Shipment
from shipping_app.providers.dto import ShipmentDTO, ShipmentLineDTO
from shipping_app.selectors.fulfilments import channel_fulfilments_pending
from shipping_app.services.fulfilments import (
    channel_fulfilment_mark_delivered,
    channel_fulfilment_mark_failed,
)
from shipping_app.services.shipments import shipment_record

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


def test_fulfilment_of_a_channel_without_connector_stays_queued_until_delivered(
    shipstation_account, stocked_order
):
    order = stocked_order()
    _exported(shipstation_account, order)
    shipment_record(account=shipstation_account, dto=_dto(order))
    request = ChannelFulfilmentRequest.objects.get()

    failed = channel_fulfilment_mark_failed(request_id=request.pk, error="connector missing")
    still_pending = list(channel_fulfilments_pending())
    delivered = channel_fulfilment_mark_delivered(request_id=request.pk)
    delivered_again = channel_fulfilment_mark_delivered(request_id=request.pk)

    # The delivery task ran after commit: no channel account for this channel, so it stays queued.
    assert (request.status, request.attempts) == (FulfilmentRequestStatus.QUEUED, 1)
    assert request.last_error == "No enabled channel account for this channel yet: kept queued"
    assert request.next_attempt_at is not None
    assert (failed.status, failed.attempts, failed.last_error) == ("failed", 2, "connector missing")
    assert still_pending == [request]
    assert delivered.status == FulfilmentRequestStatus.DELIVERED and delivered.delivered_at is not None
    assert delivered_again.attempts == 3
    assert list(channel_fulfilments_pending()) == []


def test_manual_channel_orders_need_no_fulfilment(shipstation_account, stocked_order):
    order = stocked_order(channel_kind="manual")
    _exported(shipstation_account, order)

    shipment_record(account=shipstation_account, dto=_dto(order))

    assert ChannelFulfilmentRequest.objects.get().status == FulfilmentRequestStatus.NOT_NEEDED
    assert list(channel_fulfilments_pending()) == []


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
    assert ChannelFulfilmentRequest.objects.count() == 0


def test_the_same_shipment_recorded_by_four_threads_at_once_ships_once(shipstation_account, stocked_order):
    order = stocked_order([("WIDGET", 3)])
    _exported(shipstation_account, order)
    barrier = threading.Barrier(4)
    results: list[bool] = []
    errors: list[BaseException] = []

    def record() -> None:
        try:
            barrier.wait()
            _, shipped = shipment_record(account=shipstation_account, dto=_dto(order))
            results.append(shipped)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=record) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [False, False, False, True]
    assert Shipment.objects.count() == 1
    assert StockOperation.objects.filter(reason="shipment").count() == 1
    assert StockLevel.objects.get(sku__code="WIDGET").on_hand == 7
    assert ChannelFulfilmentRequest.objects.count() == 1
