"""Changes that land while a push is in flight are never lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from channels_app.models import ChannelAccount, Listing
from channels_app.push.outbox import listings_mark_dirty
from channels_app.push.run import account_push_dirty
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_change_during_the_push_is_pushed_by_a_follow_up_run(shops, connect):
    location, sku = LocationFactory(code="A"), SKUFactory(code="S1")
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=0)
    account = connect(shop, "Shop", enabled=False)
    stock_receive(sku=sku, location=location, quantity=4)
    ChannelAccount.objects.filter(pk=account.pk).update(enabled=True)
    listings_mark_dirty(sku_ids=[sku.pk])
    push = shop.hold("POST quantities")

    def change_meanwhile():
        try:
            assert push.arrived.wait(30)  # the push is now in flight with the listing claimed
            # The receipt's hook marks the listing again and requests a push (run inline here: Celery
            # is eager in these tests); that run finds the listing claimed and pushes nothing.
            stock_receive(sku=sku, location=location, quantity=2)
        finally:
            connection.close()
            push.release()

    thread = threading.Thread(target=change_meanwhile)
    thread.start()
    summary = account_push_dirty(account_id=account.pk)
    thread.join()
    listing = Listing.objects.get(account=account)

    # The first run pushed 4, saw the listing changed meanwhile and requested the run that pushed 6.
    assert summary.pushed == 1
    assert shop.quantity_history["L1"] == [0, 4, 6]
    assert (listing.needs_push, listing.last_pushed_qty) == (False, 6)


def test_intake_marks_each_listing_once_per_order(client, shops, connect):
    # Transactional: the availability hook fires at the intake's own commit, as in production.
    location, sku = LocationFactory(code="A"), SKUFactory(code="S1")
    stock_receive(sku=sku, location=location, quantity=5)
    found = {}
    for name in "AB":
        shop = shops()
        shop.listing_add(f"{name}-L1", sku="S1", quantity=0)
        found[name] = (shop, connect(shop, f"Shop {name}"))
    before = dict(Listing.objects.values_list("external_id", "dirty_version"))
    shop_a, account_a = found["A"]
    order = shop_a.buy("A-L1", 1)
    body, headers = shop_a.webhook(order, "order.created")

    response = client.post(
        f"/webhooks/channels/{account_a.webhook_token}/",
        data=body,
        content_type="application/json",
        headers=headers,
    )

    after = dict(Listing.objects.values_list("external_id", "dirty_version"))
    assert response.status_code == 200
    assert {key: after[key] - before[key] for key in after} == {"A-L1": 1, "B-L1": 1}
    assert (shop_a.quantity("A-L1"), found["B"][0].quantity("B-L1")) == (4, 4)
