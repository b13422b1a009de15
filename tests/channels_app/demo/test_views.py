"""The /demo/ buyer page: only with DEMO on, staff only, shows both stores, "buy 1" orders on one."""

from __future__ import annotations

import importlib

import pytest
from django.urls import clear_url_caches

from channels_app.demo.fakes import amazon_start, shopify_start
from channels_app.services.demo import demo_setup, demo_store_quantities
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_urls(settings):
    """config.urls as built with DEMO on (it reads the setting at import)."""
    import config.urls

    settings.DEMO = True
    clear_url_caches()
    importlib.reload(config.urls)
    yield
    settings.DEMO = False
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def stores(on_commit):
    shopify = shopify_start(host="127.0.0.1", port=0, validate=False)
    amazon = amazon_start(host="127.0.0.1", port=0, pending_seconds=60)
    with on_commit(execute=True):
        demo_setup(shopify_url=shopify.url, amazon_url=amazon.base_url, web_url="http://127.0.0.1:9", wait=5)
    yield shopify, amazon
    shopify.stop()
    amazon.stop()


@pytest.fixture
def staff(client):
    user = UserFactory(role="operator", is_staff=True)
    client.force_login(user)
    return client


def _messages(answer) -> list[str]:
    return [str(m) for m in answer.context["messages"]]


def test_demo_page_is_not_served_without_demo_mode(client):
    client.force_login(UserFactory(role="manager", is_staff=True))

    assert client.get("/demo/").status_code == 404


def test_demo_page_needs_a_staff_login(demo_urls, client):
    answer = client.get("/demo/")

    assert answer.status_code == 302
    assert answer["Location"].startswith("/admin/login/")


def test_demo_page_shows_our_figures_and_both_stores(demo_urls, stores, staff):
    answer = staff.get("/demo/")

    assert answer.status_code == 200
    rows = {row["code"]: row for row in answer.context["rows"]}
    assert answer.context["stores"] == ["shopify", "amazon"]
    assert (rows["TBL-1"]["ours"], rows["TBL-1"]["shown"]) == (1, [1, 1])
    assert (rows["BED-SET-Q"]["ours"], rows["BED-SET-Q"]["shown"][1]) == (8, 8)
    assert answer.content.count(b"buy 1 on shopify") == 5
    assert answer.context["problems"] == []


def test_buy_button_orders_one_unit_on_the_chosen_store_only(demo_urls, stores, staff):
    answer = staff.post("/demo/buy/", {"store": "amazon", "sku": "SHEET-K"}, follow=True)

    assert answer.redirect_chain == [("/demo/", 302)]
    (message,) = _messages(answer)
    assert message.startswith("amazon: order ")
    assert demo_store_quantities(store="amazon")["SHEET-K"] == 2
    assert demo_store_quantities(store="shopify")["SHEET-K"] == 3  # until the order is polled


def test_buy_button_reports_a_store_without_stock_and_orders_nothing(demo_urls, stores, staff):
    shopify, _ = stores
    staff.post("/demo/buy/", {"store": "shopify", "sku": "TBL-1"})

    answer = staff.post("/demo/buy/", {"store": "shopify", "sku": "TBL-1"}, follow=True)

    assert "no stock of TBL-1" in _messages(answer)[-1]
    assert len(shopify.state.orders) == 1


def test_buy_needs_post(demo_urls, stores, staff):
    assert staff.get("/demo/buy/").status_code == 405
