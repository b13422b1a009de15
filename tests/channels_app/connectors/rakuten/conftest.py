"""Fixtures of the Rakuten connector's tests: the fake web services on 127.0.0.1 (clock frozen
at the real current time), a Rakuten account on it, a SKU in stock linked to its advert."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels_app.models import ChannelAccount
from channels_app.services.accounts import account_connector, account_create
from channels_app.services.onboarding import account_go_live, account_listings_import
from config.sandbox.amazon.clock import FakeClock
from config.sandbox.rakuten import FakeRakuten, RakutenState
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory


@pytest.fixture
def rakuten():
    """A started fake with a frozen clock; stopped at the end (and no fake bug went unseen)."""
    fake = FakeRakuten(state=RakutenState(clock=FakeClock(datetime.now(UTC), frozen=True))).start()
    yield fake
    fake.stop()
    assert fake.errors == []
    assert fake.state.purge_requested is False


@pytest.fixture
def connect():
    """Create a Rakuten account on a fake (not scheduled)."""

    def make(fake: FakeRakuten, **options) -> ChannelAccount:
        creds = fake.credentials()
        return account_create(
            kind="rakuten",
            name="Rakuten",
            base_url=creds["base_url"],
            credentials={"login": creds["login"], "token": creds["token"]},
            options=options,
            schedule=False,
        )

    return make


@pytest.fixture
def stocked(rakuten, connect):
    """LINEN-1 with ``on_hand`` units, its advert on the fake at the same figure, the account
    live with the listing linked. Returns (account, sku, location)."""

    def make(on_hand: int = 3, **options):
        location, sku = LocationFactory(code="MAIN"), SKUFactory(code="LINEN-1")
        if on_hand:
            stock_receive(sku=sku, location=location, quantity=on_hand)
        rakuten.state.seed_advert("LINEN-1", on_hand)
        account = connect(rakuten, **options)
        assert account_listings_import(account=account) == {"imported": 1, "linked": 1}
        account_go_live(account=account)
        return account, sku, location

    return make


def connector_of(account: ChannelAccount):
    return account_connector(account=account)
