"""Fixtures of the Volusion connector tests: the fake store on 127.0.0.1 and connectors on it."""

from __future__ import annotations

import pytest

from channels_app.connectors.dto import AccountConfig
from channels_app.connectors.registry import connector_build
from channels_app.services.accounts import account_create
from config.sandbox.volusion import FakeVolusion


@pytest.fixture
def fake_volusion():
    fake = FakeVolusion().start()
    yield fake
    fake.stop()


def credentials_of(fake: FakeVolusion) -> dict[str, str]:
    return {"login": fake.state.login, "encrypted_password": fake.state.encrypted_password}


@pytest.fixture
def volusion_connector(fake_volusion, settings):
    """A Volusion connector on the fake store (no database): ``volusion_connector(**options)``."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True

    def make(*, credentials: dict | None = None, **options):
        config = AccountConfig(
            account_id=1,
            base_url=fake_volusion.url,
            credentials=credentials or credentials_of(fake_volusion),
            options={"time_zone": "America/Chicago", **options},
        )
        return connector_build(kind="volusion", config=config)

    return make


@pytest.fixture
def volusion_account(fake_volusion):
    """A Volusion channel account on the fake store: ``volusion_account(**options)``."""

    def make(*, name: str = "Volusion store", **options):
        return account_create(
            kind="volusion",
            name=name,
            base_url=fake_volusion.url,
            credentials=credentials_of(fake_volusion),
            options={"time_zone": "America/Chicago", **options},
            schedule=False,
        )

    return make
