"""Fixtures of the eBay connector tests: the fake eBay on 127.0.0.1 and connectors on it."""

from __future__ import annotations

import pytest

from channels_app.connectors.dto import AccountConfig
from channels_app.connectors.ebay.connector import EbayConnector
from channels_app.connectors.ebay.revisions import MemoryRevisionBook
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.tokens import MemoryTokenStore
from config.sandbox.ebay import FakeEbay

VERIFICATION_TOKEN = "stockmaster-verification-token-0123456789abcdef"


class Clock:
    """A clock tests move (epoch seconds)."""

    def __init__(self, start: float = 1_796_601_600.0) -> None:  # 2026-12-07 00:00 UTC
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def fake_ebay(clock):
    with FakeEbay(clock=clock) as fake:
        yield fake


def credentials(fake: FakeEbay) -> dict[str, str]:
    return {
        "client_id": fake.state.client_id,
        "client_secret": fake.state.client_secret,
        "ru_name": fake.state.ru_name,
        "verification_token": VERIFICATION_TOKEN,
    }


@pytest.fixture
def ebay(fake_ebay, clock):
    """A connected connector (memory token store and revision book): ``ebay(**options)``."""

    def make(*, connect: bool = True, **options) -> EbayConnector:
        config = AccountConfig(
            account_id=1,
            base_url=fake_ebay.url,
            credentials=credentials(fake_ebay),
            options={"consent_url": f"{fake_ebay.url}/oauth2/authorize", **options},
        )
        connector = EbayConnector(
            config=config,
            http=ChannelHttp(base_url=fake_ebay.url, allow_private=True),
            tokens=MemoryTokenStore(clock=clock),
            revisions=MemoryRevisionBook(),
        )
        if connect:
            token = connector.connect_finish(params={"state": "s1", "code": fake_ebay.consent()}, state="s1")
            connector.auth.tokens.renew(stale_version=None, fetch=lambda _current: token)
        return connector

    return make
