"""The DEMO sandbox's seeding and buyer: demo catalog, accounts linked to the fake stores through
the engine's services, Shopify webhooks, idempotent re-run, a buyer's order on either store."""

from __future__ import annotations

import time

import pytest
from django.core.management import CommandError, call_command

from channels_app.demo.fakes import amazon_sqs_start, amazon_start, shopify_start
from channels_app.demo.stores import demo_stores_all
from channels_app.models import ChannelAccount, Listing
from channels_app.notifications.queue import account_notifications_pull
from channels_app.services.demo import DemoError, demo_buy, demo_setup, demo_store_quantities
from inventory_app.models import SKU, KitComponent, Location, StockLevel

pytestmark = pytest.mark.django_db
WEB = "http://127.0.0.1:9"  # nothing listens: webhook deliveries are only registered here


def _setup(shopify, amazon, on_commit):
    with on_commit(execute=True):
        return demo_setup(shopify_url=shopify.url, amazon_url=amazon.base_url, web_url=WEB, wait=5)


def test_demo_setup_loads_the_catalog_and_links_both_stores_to_it(stores, on_commit):
    shopify, amazon = stores

    result = _setup(shopify, amazon, on_commit)

    assert {k: (v["imported"], v["linked"]) for k, v in result.items()} == {
        "shopify": (5, 5),
        "amazon": (5, 5),
    }
    assert sorted(SKU.objects.values_list("code", flat=True)) == [
        "BED-SET-Q", "PILLOW", "SHEET-K", "SHEET-Q", "TBL-1",
    ]  # fmt: skip
    kit = SKU.objects.get(code="BED-SET-Q")
    assert kit.is_kit
    assert sorted(KitComponent.objects.filter(kit=kit).values_list("component__code", "quantity")) == [
        ("PILLOW", 2),
        ("SHEET-Q", 1),
    ]
    assert sorted(Location.objects.values_list("code", flat=True)) == ["MAIN", "SHOP"]
    levels = StockLevel.objects.filter(on_hand__gt=0)
    assert sorted(levels.values_list("sku__code", "location__code", "on_hand")) == [
        ("PILLOW", "MAIN", 12), ("PILLOW", "SHOP", 4), ("SHEET-K", "MAIN", 3),
        ("SHEET-Q", "MAIN", 8), ("SHEET-Q", "SHOP", 2), ("TBL-1", "SHOP", 1),
    ]  # fmt: skip
    accounts = {a.kind: a for a in ChannelAccount.objects.all()}
    assert sorted(accounts) == ["amazon", "shopify"]
    assert all(not a.dry_run and a.enabled and a.locations.count() == 2 for a in accounts.values())
    assert Listing.objects.filter(sku__isnull=True).count() == 0
    callbacks = [s.callback_url for s in shopify.state.subscriptions.values()]
    token = accounts["shopify"].webhook_token
    assert callbacks and all(url == f"{WEB}/webhooks/channels/{token}/" for url in callbacks)


def test_demo_setup_again_keeps_catalog_and_stock_and_follows_new_store_addresses(stores, on_commit):
    shopify, amazon = stores
    _setup(shopify, amazon, on_commit)
    ids = sorted(ChannelAccount.objects.values_list("pk", flat=True))
    shopify2 = shopify_start(host="127.0.0.1", port=0, validate=False)
    amazon2 = amazon_start(host="127.0.0.1", port=0, pending_seconds=60)
    urls = (shopify2.url, amazon2.base_url)
    try:
        _setup(shopify2, amazon2, on_commit)
        shown = (demo_store_quantities(store="shopify"), demo_store_quantities(store="amazon"))
    finally:
        shopify2.stop()
        amazon2.stop()

    assert sorted(ChannelAccount.objects.values_list("pk", flat=True)) == ids
    assert ChannelAccount.objects.get(kind="shopify").base_url == urls[0]
    assert ChannelAccount.objects.get(kind="amazon").base_url == urls[1]
    assert shown[0]["TBL-1"] == shown[1]["TBL-1"] == 1  # the new stores got every figure
    assert SKU.objects.count() == 5
    assert StockLevel.objects.get(sku__code="TBL-1", location__code="SHOP").on_hand == 1
    assert Listing.objects.count() == 10


def test_demo_buy_orders_on_the_fake_store_and_refuses_what_it_does_not_show(stores, on_commit):
    shopify, amazon = stores
    _setup(shopify, amazon, on_commit)
    # The set-up's pushes published our figures on both stores.
    assert demo_store_quantities(store="shopify") == {
        "SHEET-Q": 10, "SHEET-K": 3, "PILLOW": 16, "TBL-1": 1, "BED-SET-Q": 8,
    }  # fmt: skip
    assert demo_store_quantities(store="amazon") == demo_store_quantities(store="shopify")

    amazon_order = demo_buy(store="amazon", sku="SHEET-K", quantity=2)
    shopify_order = demo_buy(store="shopify", sku="TBL-1", quantity=1)

    assert amazon.order(amazon_order).items[0].quantity_ordered == 2
    assert demo_store_quantities(store="amazon")["SHEET-K"] == 1
    assert shopify_order.isdigit()
    assert demo_store_quantities(store="shopify")["TBL-1"] == 0
    with pytest.raises(DemoError, match="no stock of TBL-1"):
        demo_buy(store="shopify", sku="TBL-1", quantity=1)
    with pytest.raises(DemoError, match="Unknown store"):
        demo_buy(store="nosuchshop", sku="TBL-1", quantity=1)


def test_demo_buy_before_setup_says_how_to_set_up():
    with pytest.raises(DemoError, match="not set up"):
        demo_buy(store="shopify", sku="TBL-1", quantity=1)


def test_demo_setup_command_refuses_without_demo_mode(settings):
    settings.DEMO = False

    with pytest.raises(CommandError, match="DEMO=1"):
        call_command("demo_setup", shopify_url=WEB, amazon_url=WEB, web_url=WEB)

    assert ChannelAccount.objects.count() == 0
    assert SKU.objects.count() == 0


def test_demo_buy_command_reports_a_refused_order(stores, on_commit, capsys):
    shopify, amazon = stores
    _setup(shopify, amazon, on_commit)

    call_command("demo_buy", store="amazon", sku="TBL-1", qty=1)
    with pytest.raises(CommandError, match="no stock"):
        call_command("demo_buy", store="amazon", sku="TBL-1", qty=1)

    assert capsys.readouterr().out.startswith("amazon: order ")
    assert amazon.quantity("TBL-1") == 0
    assert len(amazon.state.orders) == 1


def test_with_its_queue_an_amazon_sale_reaches_shopify_by_notification_without_a_poll(
    stores, on_commit, settings
):
    # The consumer demo_setup starts runs eagerly here: keep its run short.
    settings.CHANNELS_NOTIFICATIONS_WAIT_SECONDS, settings.CHANNELS_NOTIFICATIONS_RUN_SECONDS = 0.2, 0.5
    shopify, amazon = stores
    sqs = amazon_sqs_start(amazon=amazon, port=0)
    queue_url = sqs.queue_url
    try:
        with on_commit(execute=True):
            demo_setup(
                shopify_url=shopify.url,
                amazon_url=amazon.base_url,
                amazon_sqs_url=queue_url,
                web_url=WEB,
                wait=5,
            )
        account = ChannelAccount.objects.get(kind="amazon")
        polls_before = amazon.stats.requests["getOrders"]
        assert demo_store_quantities(store="shopify")["SHEET-K"] == 3

        demo_buy(store="amazon", sku="SHEET-K", quantity=2)
        started = time.monotonic()
        with on_commit(execute=True):
            counts = account_notifications_pull(account_id=account.pk, wait_seconds=1)
        took = time.monotonic() - started
        shown = demo_store_quantities(store="shopify")["SHEET-K"]
    finally:
        sqs.stop()

    assert account.options["sqs_queue_url"] == queue_url
    assert counts["received"] >= 1
    assert (shown, took < 10) == (1, True)
    assert amazon.stats.requests["getOrders"] == polls_before  # it came by ORDER_CHANGE, not a poll
    assert sqs.waiting() == []


@pytest.fixture
def optional_store():
    """``optional_store(name)``: start an optional demo store's fake (stopped at the end)."""
    from channels_app.demo.stores import demo_store_get

    started = []

    def start(name: str):
        fake, url = demo_store_get(name=name).start(host="127.0.0.1", port=0)
        started.append(fake)
        return fake, url

    yield start
    for fake in started:
        fake.stop()


@pytest.fixture
def generic_store(optional_store):
    return optional_store("generic")


def test_an_optional_demo_store_is_linked_and_sells_like_the_others(stores, generic_store, on_commit):
    shopify, amazon = stores
    fake, url = generic_store

    with on_commit(execute=True):
        result = demo_setup(
            shopify_url=shopify.url, amazon_url=amazon.base_url, web_url=WEB, stores={"generic": url}, wait=5
        )
    order_id = demo_buy(store="generic", sku="TBL-1", quantity=1)

    assert (result["generic"]["imported"], result["generic"]["linked"]) == (5, 5)
    account = ChannelAccount.objects.get(kind="generic")
    assert (account.name, account.sales_channel.code) == ("Demo Generic shop", "demo-generic")
    assert order_id == "O1"
    assert demo_store_quantities(store="generic")["TBL-1"] == 0
    assert fake.orders["O1"]["lines"][0]["sku"] == "TBL-1"


def test_a_demo_buy_beyond_an_optional_store_s_stock_is_refused(stores, generic_store, on_commit):
    shopify, amazon = stores
    _, url = generic_store
    with on_commit(execute=True):
        demo_setup(
            shopify_url=shopify.url, amazon_url=amazon.base_url, web_url=WEB, stores={"generic": url}, wait=5
        )

    with pytest.raises(DemoError) as refused:
        demo_buy(store="generic", sku="SHEET-K", quantity=4)

    assert str(refused.value) == "generic shows no stock of SHEET-K for 4 unit(s): nothing ordered"
    assert demo_store_quantities(store="generic")["SHEET-K"] == 3


def test_an_unknown_demo_store_name_is_refused_with_the_known_ones():
    with pytest.raises(DemoError) as refused:
        demo_buy(store="nosuchshop", sku="TBL-1")

    assert str(refused.value) == (
        "Unknown store 'nosuchshop': one of shopify, amazon, " + ", ".join(demo_stores_all())
    )


@pytest.fixture
def magento_store(optional_store):
    return optional_store("magento")


def test_the_magento_demo_store_is_linked_and_sells(stores, magento_store, on_commit):
    shopify, amazon = stores
    fake, url = magento_store

    with on_commit(execute=True):
        result = demo_setup(
            shopify_url=shopify.url, amazon_url=amazon.base_url, web_url=WEB, stores={"magento": url}, wait=5
        )

    assert (result["magento"]["imported"], result["magento"]["linked"]) == (5, 5)
    assert demo_store_quantities(store="magento") == demo_store_quantities(store="shopify")
    order_id = demo_buy(store="magento", sku="TBL-1", quantity=1)
    assert fake.store.orders[int(order_id)]["items"][0]["sku"] == "TBL-1"
    assert demo_store_quantities(store="magento")["TBL-1"] == 0
    with pytest.raises(DemoError):
        demo_buy(store="magento", sku="TBL-1", quantity=1)


def test_the_volusion_demo_store_is_linked_and_a_sale_there_comes_in_by_poll(stores, on_commit):
    from channels_app.demo.stores import demo_store_get
    from channels_app.intake.polling import account_orders_sync
    from inventory_app.models import Order

    shopify, amazon = stores
    fake, url = demo_store_get(name="volusion").start(host="127.0.0.1", port=0)
    try:
        with on_commit(execute=True):
            result = demo_setup(
                shopify_url=shopify.url,
                amazon_url=amazon.base_url,
                web_url=WEB,
                stores={"volusion": url},
                wait=5,
            )
        shown = demo_store_quantities(store="volusion")["TBL-1"]
        order_id = demo_buy(store="volusion", sku="TBL-1", quantity=1)
        account = ChannelAccount.objects.get(kind="volusion")
        with on_commit(execute=True):
            account_orders_sync(account_id=account.pk)

        assert (result["volusion"]["imported"], result["volusion"]["linked"]) == (5, 5)
        assert (shown, demo_store_quantities(store="volusion")["TBL-1"]) == (1, 0)
        order = Order.objects.get(channel=account.sales_channel, external_ref=order_id)
        assert [(line.external_sku, line.quantity) for line in order.lines.all()] == [("TBL-1", 1)]
    finally:
        fake.stop()


def _etsy_pushed(wanted: dict) -> dict:
    """What the fake Etsy shows once the pushes are through: a push that met Etsy's 10 calls a
    second waits for its retry, run here as a worker would when it is due (bounded)."""
    from channels_app.push.run import account_push_dirty

    account = ChannelAccount.objects.get(kind="etsy")
    deadline = time.monotonic() + 15
    shown = demo_store_quantities(store="etsy")
    while shown != wanted and time.monotonic() < deadline:
        time.sleep(0.25)
        account_push_dirty(account_id=account.pk)
        shown = demo_store_quantities(store="etsy")
    return shown


@pytest.fixture
def etsy_store(optional_store):
    return optional_store("etsy")


def test_the_etsy_demo_store_is_connected_by_its_oauth_flow_linked_and_sells(stores, etsy_store, on_commit):
    shopify, amazon = stores
    fake, url = etsy_store

    with on_commit(execute=True):
        result = demo_setup(
            shopify_url=shopify.url, amazon_url=amazon.base_url, web_url=WEB, stores={"etsy": url}, wait=5
        )

    assert (result["etsy"]["imported"], result["etsy"]["linked"]) == (5, 5)
    assert fake.oauth.access  # a token was granted through the consent flow with PKCE
    wanted = {"SHEET-Q": 10, "SHEET-K": 3, "PILLOW": 16, "TBL-1": 1, "BED-SET-Q": 8}
    assert _etsy_pushed(wanted) == wanted
    order_id = demo_buy(store="etsy", sku="TBL-1", quantity=1)
    assert fake.state.receipts[int(order_id)]["transactions"][0]["sku"] == "TBL-1"
    assert demo_store_quantities(store="etsy")["TBL-1"] == 0
