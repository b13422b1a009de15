"""The Rakuten demo store: its fake starts with the demo catalog at 0, offers the control
endpoints, and its account spec links it (every advert imported and linked by SKU)."""

from __future__ import annotations

import pytest
import requests

from channels_app.demo.catalog import DEMO_ITEMS, DEMO_KIT
from channels_app.demo.stores import demo_store_get
from channels_app.services.accounts import account_create
from channels_app.services.onboarding import account_listings_import
from tests.factories import SKUFactory


@pytest.fixture
def store():
    store = demo_store_get(name="rakuten")
    fake, url = store.start(host="127.0.0.1", port=0)
    yield store, fake, url
    fake.stop()


def test_the_fake_starts_with_the_catalog_at_zero_and_sells_only_what_it_shows(store):
    _store, fake, url = store
    codes = [item.code for item in (*DEMO_ITEMS, DEMO_KIT)]

    assert requests.get(f"{url}/_fake/quantities", timeout=5).json() == dict.fromkeys(codes, 0)
    refused = requests.post(f"{url}/_fake/buy", json={"sku": codes[0], "quantity": 1}, timeout=5)
    assert (refused.status_code, refused.json()) == (409, {"error": "out of stock"})

    fake.state.adverts[codes[0]].quantity = 2
    sold = requests.post(f"{url}/_fake/buy", json={"sku": codes[0], "quantity": 1}, timeout=5)
    assert sold.status_code == 201
    assert [i.status for i in fake.state.sales[sold.json()["order_id"]].items] == ["REQUESTED"]


@pytest.mark.django_db
def test_its_account_spec_links_every_advert(store, settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    demo, _fake, url = store
    for item in (*DEMO_ITEMS, DEMO_KIT):
        SKUFactory(code=item.code)
    spec = demo.account(url=url)

    account = account_create(
        kind=demo.kind,
        name=demo.label,
        base_url=spec.base_url,
        credentials=spec.credentials,
        options=spec.options,
        schedule=False,
    )

    count = len(DEMO_ITEMS) + 1
    assert account_listings_import(account=account) == {"imported": count, "linked": count}
