"""Tasks and the beat sweep: transient vendor errors keep the event pending; the sweep exports and polls."""

from __future__ import annotations

import json

import pytest
from django_celery_beat.models import PeriodicTask

from shipping_app.models import Shipment, ShippingEventStatus, ShippingWebhookEvent
from shipping_app.providers.base import ProviderError, RetryableProviderError
from shipping_app.services.exports import order_export
from shipping_app.services.notifications import webhook_event_process
from shipping_app.services.schedule import SWEEP_TASK, shipping_schedule_ensure
from shipping_app.tasks import shipping_sweep_task, webhook_event_process_task

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_long_429_on_the_resource_keeps_the_event_pending_for_a_later_retry(
    shipstation, shipstation_account, stocked_order
):
    order = stocked_order()
    order_export(account=shipstation_account, order=order)
    body = shipstation.ship(f"sm-{order.pk}")
    event = ShippingWebhookEvent.objects.create(
        account=shipstation_account, event_key="k", topic="SHIP_NOTIFY", payload=body
    )
    shipstation.fault(
        "GET /shipments", 429, headers={"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "45"}
    )

    with pytest.raises(RetryableProviderError) as raised:
        webhook_event_process(event_id=event.pk)
    event.refresh_from_db()
    assert raised.value.retry_after == 45
    assert (event.status, event.attempts) == (ShippingEventStatus.PENDING, 1)
    assert "429" in event.error
    assert Shipment.objects.count() == 0

    webhook_event_process_task.apply(args=[event.pk])

    event.refresh_from_db()
    assert event.status == ShippingEventStatus.PROCESSED
    assert Shipment.objects.count() == 1


def test_the_sweep_sends_pending_orders_and_polls(shipstation, shipstation_account, stocked_order):
    first = stocked_order(ref="A-1")
    second = stocked_order([("GADGET", 1)], ref="A-2")

    result = shipping_sweep_task.apply().get()
    shipstation.ship(f"sm-{first.pk}")
    shipping_sweep_task.apply()

    assert result == {"polls": 1, "exports": 2}
    assert sorted(o["orderNumber"] for o in shipstation.orders.values()) == ["A-1", "A-2"]
    assert Shipment.objects.get().order_id == first.pk
    assert second.pk not in Shipment.objects.values_list("order_id", flat=True)


def test_schedule_ensure_is_idempotent():
    shipping_schedule_ensure()
    task = shipping_schedule_ensure(every_seconds=120)

    assert PeriodicTask.objects.filter(task=SWEEP_TASK).count() == 1
    assert (task.interval.every, task.enabled) == (120, True)
    assert json.loads(task.args or "[]") == []


def test_a_failed_export_waits_its_backoff_before_the_sweep_sends_it_again(
    shipstation, shipstation_account, stocked_order
):
    from datetime import timedelta

    from django.utils import timezone

    from shipping_app.models import OrderExport
    from shipping_app.selectors.exports import orders_to_export

    order = stocked_order()
    shipstation.fault("POST /orders/createorder", 400, data={"Message": "The request is invalid."})
    with pytest.raises(ProviderError, match="400"):
        order_export(account=shipstation_account, order=order)

    right_after = orders_to_export(account=shipstation_account)
    OrderExport.objects.update(updated_at=timezone.now() - timedelta(minutes=2))
    later = orders_to_export(account=shipstation_account)

    assert OrderExport.objects.get().state == "failed"
    assert right_after == []
    assert later == [order.pk]
