"""Amazon orders by ORDER_CHANGE notifications: the fake SP-API publishes to the fake SQS queue, the
engine's consumer (services.notifications) stores, acknowledges and drains them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from channels_app.connectors.amazon.notifications import SqsError
from channels_app.intake.polling import account_orders_sync
from channels_app.models import InboundEvent, InboundEventStatus, SyncCursor
from channels_app.notifications.queue import account_notifications_pull
from channels_app.reconcile.rescue import stalled_work_rescue
from channels_app.services.schedule import account_schedule_ensure
from channels_app.tasks import account_notifications_pull_task
from inventory_app.models import Order, OrderStatus
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory
from tests.helpers import stock_level

pytestmark = pytest.mark.django_db


@pytest.fixture
def linen(amazon, sqs, connect_sqs, link):
    """LINEN-1: 5 on hand with us, 5 shown on Amazon, linked; the account reads the queue."""
    location, sku = LocationFactory(code="MAIN"), SKUFactory(code="LINEN-1")
    stock_receive(sku=sku, location=location, quantity=5)
    amazon.seed_listing("LINEN-1", 5)
    account = connect_sqs(amazon, sqs)
    link(account, sku, pushed=5)
    return account, sku, location


def _pull(account, on_commit) -> dict:
    with on_commit(execute=True):  # the commit: acknowledge, then the (eager) drain
        return account_notifications_pull(account_id=account.pk, wait_seconds=0)


def _counts(**values) -> dict:
    names = ("received", "stored", "orders", "duplicates", "malformed", "acked", "pulls", "busy")
    base = dict.fromkeys(names, 0)
    return {**base, "configured": 1, "pulls": 1, **values}


def test_an_order_placed_on_amazon_is_reserved_by_one_pull_and_drain(amazon, sqs, linen, on_commit):
    account, sku, location = linen
    placed = amazon.place_order("LINEN-1", 2)

    counts = _pull(account, on_commit)

    order = Order.objects.get(channel=account.sales_channel)
    assert counts == _counts(received=1, stored=1, orders=1, acked=1)
    assert (order.external_ref, order.status, order.is_paid) == (
        placed.amazon_order_id,
        OrderStatus.OPEN,
        False,
    )
    assert stock_level(sku, location) == (5, 2)
    event = InboundEvent.objects.get(account=account)
    notification_id = amazon.state.notifications[0]["NotificationMetadata"]["NotificationId"]
    assert (event.event_id, event.source, event.topic, event.status) == (
        f"sqs:{notification_id}",
        "queue",
        "ORDER_CHANGE",
        InboundEventStatus.PROCESSED,
    )
    assert (sqs.waiting(), sqs.stats.deleted) == ([], 1)
    assert "getOrders" not in amazon.stats.requests and "getOrderItems" not in amazon.stats.requests


def test_a_redelivered_message_changes_nothing_more(amazon, sqs, linen, on_commit):
    account, sku, location = linen
    amazon.place_order("LINEN-1", 2)
    sqs.fail("DeleteMessageBatch")  # stored, but the delete fails: as if the worker died first

    first = _pull(account, on_commit)
    hidden = _pull(account, on_commit)  # within the visibility timeout: nothing to receive
    amazon.advance(61)  # the visibility timeout (60 s) runs out: SQS delivers it again
    again = _pull(account, on_commit)

    assert first == _counts(received=1, stored=1, orders=1)
    assert hidden == _counts()
    assert again == _counts(received=1, duplicates=1, acked=1)
    assert Order.objects.filter(channel=account.sales_channel).count() == 1
    assert stock_level(sku, location) == (5, 2)
    assert InboundEvent.objects.filter(account=account).count() == 1
    assert (sqs.waiting(), sqs.stats.deliveries) == ([], 2)


def test_a_notification_and_a_poll_of_the_same_order_create_it_once_in_either_order(
    amazon, sqs, linen, on_commit
):
    account, sku, location = linen
    polled_first = amazon.place_order("LINEN-1", 2)
    account_orders_sync(account_id=account.pk)
    notified_first = amazon.place_order("LINEN-1", 1)

    counts = _pull(account, on_commit)  # both orders' notifications: one already polled
    account_orders_sync(account_id=account.pk)  # polls both again

    orders = dict(
        Order.objects.filter(channel=account.sales_channel).values_list("external_ref", "external_updated_at")
    )
    assert counts == _counts(received=2, stored=2, orders=2, acked=2)
    assert stock_level(sku, location) == (5, 3)
    assert set(orders) == {polled_first.amazon_order_id, notified_first.amazon_order_id}
    # The poll and the notification name the same version of each order.
    for placed in (polled_first, notified_first):
        ref = placed.amazon_order_id
        polled = InboundEvent.objects.get(account=account, source="poll", order__external_id=ref)
        notified = InboundEvent.objects.get(account=account, source="queue", order__external_id=ref)
        assert polled.order["updated_at"] == notified.order["updated_at"] == orders[ref].isoformat()
    statuses = sorted(InboundEvent.objects.filter(account=account).values_list("source", "status"))
    assert statuses == [("poll", "processed")] * 2 + [("queue", "processed")] * 2


def test_a_cancellation_notification_releases_the_reservation(amazon, sqs, linen, on_commit):
    account, sku, location = linen
    placed = amazon.place_order("LINEN-1", 2)
    _pull(account, on_commit)
    reserved = stock_level(sku, location)

    amazon.cancel_order(placed.amazon_order_id)
    counts = _pull(account, on_commit)

    order = Order.objects.get(channel=account.sales_channel)
    assert (reserved, stock_level(sku, location)) == ((5, 2), (5, 0))
    assert counts == _counts(received=1, stored=1, orders=1, acked=1)
    assert order.status == OrderStatus.CANCELLED


def test_a_malformed_message_is_recorded_ignored_and_acked_not_looped(amazon, sqs, linen, on_commit):
    account, _sku, _location = linen
    garbage_id = sqs.send("{not json")
    broken = {"NotificationType": "ORDER_CHANGE", "NotificationMetadata": {"NotificationId": "n-1"},
              "Payload": {"OrderChangeNotification": {"AmazonOrderId": "902-0000000-0000001"}}}  # fmt: skip
    sqs.send(json.dumps(broken))

    counts = _pull(account, on_commit)
    amazon.advance(61)
    later = _pull(account, on_commit)

    events = InboundEvent.objects.filter(account=account).order_by("event_id")
    assert counts == _counts(received=2, stored=2, malformed=2, acked=2)
    assert later == _counts()
    assert [(e.event_id, e.topic, e.status, e.error) for e in events] == [
        ("sqs-message:" + garbage_id, "malformed", InboundEventStatus.IGNORED,
         "the message body is not JSON: Expecting property name enclosed in double quotes: "
         "line 1 column 2 (char 1)"),
        ("sqs:n-1", "ORDER_CHANGE", InboundEventStatus.IGNORED,
         "ORDER_CHANGE of 902-0000000-0000001 without a Summary"),
    ]  # fmt: skip
    assert events[0].payload == {"body": "{not json"}
    assert sqs.waiting() == []


def test_a_bad_signature_fails_the_pull_and_releases_the_lease(amazon, sqs, linen, on_commit):
    from channels_app.services.accounts import account_credentials_set

    account, _sku, _location = linen
    amazon.place_order("LINEN-1", 1)
    credentials = {**sqs.credentials(), **amazon.credentials()}
    account_credentials_set(
        account=account,
        credentials={
            **{k: credentials[k] for k in ("client_id", "client_secret", "refresh_token")},
            **{k: credentials[k] for k in ("aws_access_key_id", "aws_region")},
            "aws_secret_access_key": "wrong",
        },
    )

    with pytest.raises(SqsError, match=r"^SQS ReceiveMessage: HTTP 403 InvalidSignatureException: "):
        _pull(account, on_commit)

    assert SyncCursor.objects.get(account=account, stream="notifications").leased_until is None
    assert (InboundEvent.objects.count(), len(sqs.waiting())) == (0, 1)


def test_one_consumer_per_account_the_task_and_the_beat_entry(
    amazon, sqs, linen, connect, on_commit, settings
):
    account, _sku, _location = linen
    settings.CHANNELS_NOTIFICATIONS_WAIT_SECONDS = 1  # one long poll of a second (real time)
    settings.CHANNELS_NOTIFICATIONS_RUN_SECONDS = 0
    SyncCursor.objects.create(
        account=account, stream="notifications", leased_until=timezone.now() + timedelta(seconds=30)
    )
    busy = account_notifications_pull(account_id=account.pk, wait_seconds=0)
    SyncCursor.objects.filter(account=account).update(leased_until=None)
    amazon.place_order("LINEN-1", 1)
    with on_commit(execute=True):
        ran = account_notifications_pull_task.apply(args=[account.pk]).get()  # eager: no re-enqueue
    plain = connect(amazon, "Amazon polled only")
    account_schedule_ensure(account=account)
    account_schedule_ensure(account=plain)
    entries = dict(
        PeriodicTask.objects.filter(name__startswith="channels:notifications:").values_list("name", "task")
    )
    unconfigured = account_notifications_pull(account_id=plain.pk, wait_seconds=0)

    assert busy == _counts(pulls=0, busy=1)
    assert (ran["received"], ran["orders"], ran["acked"]) == (1, 1, 1)
    assert Order.objects.filter(channel=account.sales_channel).count() == 1
    task = "channels_app.tasks.account_notifications_pull_task"
    assert entries == {f"channels:notifications:{account.pk}": task}
    assert unconfigured == {**_counts(pulls=0), "configured": 0}


def test_the_rescue_starts_a_lost_consumer_and_leaves_a_running_one_alone(
    amazon, sqs, linen, connect, on_commit, settings
):
    """services.rescue: the consumer's task died with its worker (lease released at the
    worker's restart) - the next rescue starts one, which takes the waiting order in."""
    account, sku, location = linen
    settings.CHANNELS_NOTIFICATIONS_WAIT_SECONDS = 0
    settings.CHANNELS_NOTIFICATIONS_RUN_SECONDS = 0
    connect(amazon, "Amazon polled only")  # no queue: never gets a consumer
    SyncCursor.objects.create(
        account=account, stream="notifications", leased_until=timezone.now() + timedelta(seconds=30)
    )
    amazon.place_order("LINEN-1", 2)
    with on_commit(execute=True) as while_running:
        running = stalled_work_rescue(events_older_than=10, pushes_older_than=10)
    SyncCursor.objects.filter(account=account).update(leased_until=None)

    with on_commit(execute=True):
        lost = stalled_work_rescue(events_older_than=10, pushes_older_than=10)

    assert (running["consumers"], while_running) == (0, [])
    assert lost == {"drains": 0, "pushes": 0, "consumers": 1, "fetches": 0}
    assert Order.objects.filter(channel=account.sales_channel).count() == 1
    assert stock_level(sku, location) == (5, 2)
    assert sqs.waiting() == []
