"""The engine with a Volusion account on the fake store: an interrupted order export resumes
without losing or duplicating an order; expired credentials become a clear message on the
account and the dashboard, and nothing else breaks."""

from __future__ import annotations

import pytest

from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.intake.polling import account_orders_sync
from channels_app.models import InboundEvent, Listing
from channels_app.push.run import account_push_dirty
from channels_app.selectors.dashboard import channel_health_rows
from channels_app.services.accounts import account_credentials_set
from channels_app.services.onboarding import account_listings_import
from inventory_app.models import Order, StockLevel
from inventory_app.services.stock import stock_adjust, stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db

EXPIRED = "Volusion credentials expired: paste the new EncryptedPassword"


@pytest.fixture
def store(fake_volusion, volusion_account, on_commit):
    """TOWEL: 1000 on hand here, listed on the fake Volusion store; the account live."""
    location, sku = LocationFactory(code="MAIN"), SKUFactory(code="TOWEL")
    fake_volusion.state.product_add("TOWEL", 1000)
    with on_commit(execute=True):
        stock_receive(sku=sku, location=location, quantity=1000)
        account = volusion_account()
        assert account_listings_import(account=account) == {"imported": 1, "linked": 1}
    return fake_volusion, account, sku, location


def test_an_order_export_interrupted_between_batches_resumes_without_losing_or_duplicating(store):
    fake, account, sku, location = store
    orders = [fake.state.buy("TOWEL") for _ in range(250)]
    fake.fail_next(1, status=503, after=1)  # the store fails after handing out the first batch

    with pytest.raises(RetryableError):
        account_orders_sync(account_id=account.pk)

    assert Order.objects.filter(channel=account.sales_channel).count() == 100  # batch 1 kept
    counts = account_orders_sync(account_id=account.pk)  # the next poll walks on from batch 2

    refs = sorted(Order.objects.filter(channel=account.sales_channel).values_list("external_ref", flat=True))
    assert refs == sorted(str(o.order_id) for o in orders)
    assert counts["applied"] == 150
    assert StockLevel.objects.get(sku=sku, location=location).committed == 250
    # the cursor was walked once, never reset: batches 1 to 3 then the empty answer
    walk = [c for c in fake.calls_of("Generic\\Orders") if c[2] == ""]
    assert len(walk) == 4
    assert fake.state.exported["Orders"] == {o.order_id for o in orders}


def test_a_status_change_after_the_walk_comes_in_through_the_status_exports(store):
    fake, account, sku, location = store
    order = fake.state.buy("TOWEL", 3)
    account_orders_sync(account_id=account.pk)

    fake.state.order_status_set(order.order_id, "Cancelled")
    account_orders_sync(account_id=account.pk)

    stored = Order.objects.get(channel=account.sales_channel, external_ref=str(order.order_id))
    assert stored.status == "cancelled"
    assert StockLevel.objects.get(sku=sku, location=location).committed == 0


def test_expired_credentials_are_a_clear_message_on_the_account_and_the_dashboard(store, shops, connect):
    fake, account, _sku, _location = store
    other_shop = shops()
    other = connect(other_shop, "Other shop")
    fake.state.buy("TOWEL")
    fake.state.password_rotate()

    with pytest.raises(ConnectorError, match=EXPIRED):
        account_orders_sync(account_id=account.pk)

    account.refresh_from_db()
    assert account.last_error == EXPIRED
    row = next(r for r in channel_health_rows() if r.name == account.name)
    assert row.last_error == EXPIRED
    assert not InboundEvent.objects.filter(account=account).exists()  # not an empty sync
    assert account.orders_synced_at is None
    assert fake.state.exported["Orders"] == set()  # the cursor did not move: nothing lost
    # nothing else breaks: another channel polls as before
    assert account_orders_sync(account_id=other.pk)["busy"] == 0
    other.refresh_from_db()
    assert other.last_error == ""


def test_a_push_with_expired_credentials_fails_its_listings_with_the_message_and_changes_nothing(
    store, on_commit
):
    fake, account, sku, location = store
    account_orders_sync(account_id=account.pk)
    fake.state.password_rotate()

    with on_commit(execute=True):  # 5 units written off: the listing is dirty, a push runs inline
        stock_adjust(sku=sku, location=location, delta=-5, reason_detail="damaged")
    account_push_dirty(account_id=account.pk, follow_up=False)  # in its backoff: nothing sent

    listing = Listing.objects.get(account=account)
    account.refresh_from_db()
    assert (listing.needs_push, listing.last_error) == (True, EXPIRED)
    assert account.last_error == EXPIRED
    assert fake.state.products["TOWEL"].stock == 1000
    assert StockLevel.objects.get(sku=sku, location=location).on_hand == 995
    assert fake.calls_of("Import=Update") == [("POST", "Import=Update", "")]


def test_the_new_encrypted_password_pasted_brings_the_account_back(store):
    fake, account, _sku, _location = store
    fake.state.buy("TOWEL")
    new = fake.state.password_rotate()
    with pytest.raises(ConnectorError):
        account_orders_sync(account_id=account.pk)

    account_credentials_set(
        account=account, credentials={"login": fake.state.login, "encrypted_password": new}
    )
    account_orders_sync(account_id=account.pk)

    account.refresh_from_db()
    assert account.last_error == ""
    assert Order.objects.filter(channel=account.sales_channel).count() == 1


def test_the_published_quantity_explanation_says_how_stale_volusion_s_figure_may_be(store):
    from channels_app.selectors.quantities import listing_quantity_explain

    _fake, account, _sku, _location = store
    account.buffer = 2
    account.save(update_fields=["buffer"])
    listing = Listing.objects.select_related("account", "sku").get(account=account)

    assert listing_quantity_explain(listing=listing) == (
        "on hand 1000 - committed 0 at MAIN, buffer 2 = 998; Volusion's own sales reach us at the next"
        " order poll (every 120 s), so it may sell units sold elsewhere in that time: buffer 2 held"
        " back for it"
    )
