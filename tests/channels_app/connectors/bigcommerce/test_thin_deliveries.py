"""Thin deliveries are stored and answered at once; a worker fetches their order under the store
quota (``channels_app.intake.fetch``), so a quota the store's apps used up never fails a delivery."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from channels_app.connectors.bigcommerce import client as bc_client
from channels_app.connectors.bigcommerce import webhooks as hooks
from channels_app.connectors.errors import RetryableError
from channels_app.intake.batch import account_inbound_events_drain
from channels_app.intake.fetch import inbound_event_fetch
from channels_app.models import InboundEvent, InboundEventStatus
from channels_app.services.accounts import account_connector, account_create
from channels_app.services.onboarding import account_listings_import
from config.sandbox.bigcommerce import FakeBigCommerce
from config.sandbox.bigcommerce.hooks import sign
from inventory_app.models import Order, StockLevel
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


class _Clock:
    """The fake store's quota clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(settings):
    """A store with a 20-request quota per 60 s window on a test clock, MUG (5) on it; our MUG (10)
    linked; the connector waits at most 5 s for the quota."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    fake = FakeBigCommerce(quota=20, window_ms=60_000)
    clock = _Clock()
    fake.quota.clock = clock
    fake.quota.window_start = clock.now
    fake.state.add_product("Mug", sku="MUG", tracking="product", quantity=5)
    with fake:
        location = LocationFactory(code="WH")
        sku = SKUFactory(code="MUG")
        stock_receive(sku=sku, location=location, quantity=10)
        account = account_create(
            kind="bigcommerce",
            name="BigCommerce store",
            base_url=fake.url,
            credentials=fake.credentials(),
            options={"quota_wait_seconds": 5},
            location_ids=[location.pk],
            schedule=False,
        )
        account_listings_import(account=account)
        yield fake, clock, account, location, sku


def _delivery(fake, account, order_id: int, webhook_id: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {"scope": "store/order/created", "data": {"type": "order", "id": order_id}, "hash": "h1"}
    ).encode()
    stamp = str(int(time.time()))
    headers = {
        hooks.HOOK_HEADER: hooks.hook_token(access_token=fake.access_token, account_id=account.pk),
        "webhook-id": webhook_id,
        "webhook-timestamp": stamp,
        "webhook-signature": sign(
            secret=fake.client_secret, webhook_id=webhook_id, timestamp=stamp, body=body
        ),
    }
    return body, headers


def _post(client, account, body, headers):
    url = reverse("channels_webhooks:receive", args=[account.webhook_token])
    return client.post(url, data=body, content_type="application/json", headers=headers)


def test_a_delivery_under_a_spent_quota_is_answered_200_stored_once_and_applied_when_it_frees(
    store, client, django_capture_on_commit_callbacks
):
    fake, clock, account, location, sku = store
    order_id = fake.state.buy("MUG", 2).id
    fake.quota.consume(20)  # the store's other apps spent the whole window
    calls_before = len(fake.calls())
    body, headers = _delivery(fake, account, order_id, "msg_1")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = _post(client, account, body, headers)
        again = _post(client, account, body, headers)  # BigCommerce's retry of the same event

    assert (first.status_code, again.status_code) == (200, 200)
    assert len(fake.calls()) == calls_before  # nothing fetched on the request path
    event = InboundEvent.objects.get(account=account, source="webhook")
    assert (event.event_id, event.status, event.order) == ("bc:msg_1", InboundEventStatus.FETCH, None)
    assert len(queued) == 1  # one fetch task, for the first delivery only

    with pytest.raises(RetryableError, match="quota"):
        inbound_event_fetch(event_id=event.pk)  # the task retries after the refresh
    event.refresh_from_db()
    assert (event.status, event.attempts) == (InboundEventStatus.FETCH, 1)
    assert Order.objects.filter(channel=account.sales_channel).count() == 0

    clock.now += 60  # the window refreshes
    bc_client._readings.clear()  # and our reading of it runs out with it
    with django_capture_on_commit_callbacks(execute=False):
        inbound_event_fetch(event_id=event.pk)
    event.refresh_from_db()
    assert event.status == InboundEventStatus.PENDING
    account_inbound_events_drain(account_id=account.pk)

    order = Order.objects.get(channel=account.sales_channel)
    assert order.external_ref == str(order_id)
    assert StockLevel.objects.get(sku=sku, location=location).committed == 2
    assert InboundEvent.objects.get(pk=event.pk).status == InboundEventStatus.PROCESSED


def test_a_delivery_of_a_deleted_order_is_ignored_with_why_and_nothing_applied(
    store, client, django_capture_on_commit_callbacks
):
    fake, _, account, location, sku = store
    body, headers = _delivery(fake, account, 999_999, "msg_2")
    with django_capture_on_commit_callbacks(execute=False):
        answer = _post(client, account, body, headers)
    event = InboundEvent.objects.get(account=account, source="webhook")

    inbound_event_fetch(event_id=event.pk)

    assert answer.status_code == 200
    event.refresh_from_db()
    assert event.status == InboundEventStatus.IGNORED
    assert event.error.startswith("ignored: ")
    assert "404" in event.error
    assert Order.objects.filter(channel=account.sales_channel).count() == 0
    assert StockLevel.objects.get(sku=sku, location=location).committed == 0


def test_a_delivery_whose_fetch_task_was_lost_is_fetched_by_the_stalled_work_rescue(
    store, client, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from channels_app.reconcile.rescue import stalled_work_rescue

    fake, _, account, location, sku = store
    order_id = fake.state.buy("MUG", 1).id
    body, headers = _delivery(fake, account, order_id, "msg_3")
    with django_capture_on_commit_callbacks(execute=False):  # the worker or the broker loses it
        assert _post(client, account, body, headers).status_code == 200
    fresh = stalled_work_rescue(events_older_than=10, pushes_older_than=10)
    InboundEvent.objects.update(received_at=timezone.now() - timedelta(seconds=30))

    with django_capture_on_commit_callbacks(execute=True):
        counts = stalled_work_rescue(events_older_than=10, pushes_older_than=10)

    assert (fresh["fetches"], counts["fetches"]) == (0, 1)
    assert InboundEvent.objects.get(account=account, source="webhook").status == InboundEventStatus.PROCESSED
    assert Order.objects.get(channel=account.sales_channel).external_ref == str(order_id)
    assert StockLevel.objects.get(sku=sku, location=location).committed == 1


def _stored(client, fake, account, order_id: int, webhook_ids: list[str]) -> list[InboundEvent]:
    for webhook_id in webhook_ids:
        body, headers = _delivery(fake, account, order_id, webhook_id)
        assert _post(client, account, body, headers).status_code == 200
    return list(InboundEvent.objects.filter(account=account, source="webhook").order_by("pk"))


def test_one_fetch_answers_every_waiting_delivery_of_the_same_order(
    store, client, django_capture_on_commit_callbacks
):
    fake, _, account, location, sku = store
    order_id = fake.state.buy("MUG", 2).id
    other_id = fake.state.buy("MUG", 1).id
    with django_capture_on_commit_callbacks(execute=False):  # created, updated, statusUpdated
        first, second, third, other = (
            _stored(client, fake, account, order_id, ["m1", "m2", "m3"])
            + _stored(client, fake, account, other_id, ["m4"])[3:]
        )
    calls_before = len(fake.calls())

    with django_capture_on_commit_callbacks(execute=False) as queued:
        inbound_event_fetch(event_id=first.pk)

    assert len(fake.calls()) - calls_before == 2  # the order and its products, once
    statuses = dict(InboundEvent.objects.values_list("pk", "status"))
    assert [statuses[e.pk] for e in (first, second, third, other)] == [
        InboundEventStatus.PENDING,
        InboundEventStatus.IGNORED,
        InboundEventStatus.IGNORED,
        InboundEventStatus.FETCH,  # another order: its own fetch
    ]
    assert InboundEvent.objects.get(pk=second.pk).error == (
        f"ignored: answered by the fetch of event {first.pk} (same order)"
    )
    assert len(queued) == 1  # the account's drain; no further fetch of this order
    account_inbound_events_drain(account_id=account.pk)
    assert StockLevel.objects.get(sku=sku, location=location).committed == 2
    assert Order.objects.filter(channel=account.sales_channel).count() == 1


def test_a_delivery_arriving_while_its_order_is_fetched_waits_and_gets_a_follow_up_fetch(
    store, client, django_capture_on_commit_callbacks, monkeypatch
):
    from channels_app.intake import fetch

    fake, _, account, _, _ = store
    order_id = fake.state.buy("MUG", 2).id
    with django_capture_on_commit_callbacks(execute=False):
        (first,) = _stored(client, fake, account, order_id, ["m1"])
    connector_class = type(account_connector(account=account))
    real_fetch = connector_class.webhook_order_fetch
    late: list[InboundEvent] = []

    def fetch_while_another_arrives(self, *, payload):
        with django_capture_on_commit_callbacks(execute=False):
            late.extend(_stored(client, fake, account, order_id, ["m2"])[1:])
        calls = len(fake.calls())
        assert inbound_event_fetch(event_id=late[0].pk).status == InboundEventStatus.FETCH
        assert len(fake.calls()) == calls  # the lease held it back: no second fetch in flight
        return real_fetch(self, payload=payload)

    monkeypatch.setattr(connector_class, "webhook_order_fetch", fetch_while_another_arrives)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        inbound_event_fetch(event_id=first.pk)

    assert InboundEvent.objects.get(pk=first.pk).status == InboundEventStatus.PENDING
    assert InboundEvent.objects.get(pk=late[0].pk).status == InboundEventStatus.FETCH  # not covered
    sent = [c.args[:2] for c in queued if getattr(c, "args", None)]
    assert sent == [(fetch.task_names.INBOUND_EVENT_FETCH, (late[0].pk,))]
    monkeypatch.undo()
    inbound_event_fetch(event_id=late[0].pk)
    assert InboundEvent.objects.get(pk=late[0].pk).status == InboundEventStatus.PENDING
