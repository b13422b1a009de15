"""Shopify accounts through the API: the credentials of the chosen mode, exactly, and the account's
``connection`` (a token obtained on first use, no secret shown)."""

from __future__ import annotations

import pytest

from channels_app.models import ChannelAccount, ChannelToken
from channels_app.services.accounts import account_connector
from channels_app.services.tokens import token_clock_set
from tests.helpers import problem

pytestmark = pytest.mark.django_db

ACCOUNTS = "/api/v1/channel-accounts/"


@pytest.fixture
def sim_tokens(dev_dashboard_shop):
    """Our token clock is the fake's simulated clock for the test."""
    token_clock_set(dev_dashboard_shop.oauth.clock)
    yield dev_dashboard_shop
    token_clock_set(None)


def _create(client, fake, credentials: dict, **options):
    return client.post(
        ACCOUNTS,
        {
            "kind": "shopify",
            "name": "New seller",
            "base_url": fake.url,
            "credentials": credentials,
            "options": {"api_version": "2026-10", **options},
        },
        format="json",
    )


def test_a_dev_dashboard_account_is_created_from_its_client_id_and_secret(api_client, sim_tokens, settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    fake = sim_tokens
    manager = api_client("manager")

    created = _create(manager, fake, {"client_id": fake.oauth.client_id, "client_secret": fake.client_secret})
    account = ChannelAccount.objects.get()
    before = created.json()["connection"]
    account_connector(account=account).locations_fetch()
    after = manager.get(f"{ACCOUNTS}{account.pk}/").json()

    assert created.status_code == 201, created.json()
    assert before == {
        "state": "not_connected",
        "message": "",
        "expires_at": None,
        "connect_flow": False,
        "refresh_expires_at": None,
    }
    assert after["connection"]["state"] == "connected"
    assert after["connection"]["expires_at"] == fake.oauth.clock() + 86399
    assert fake.client_secret not in str(after)
    assert ChannelToken.objects.get(account=account).version == 1


def test_credentials_of_another_mode_are_refused_and_nothing_is_created(api_client, dev_dashboard_shop):
    refused = _create(
        api_client("manager"),
        dev_dashboard_shop,
        {"client_id": "id", "client_secret": "s", "access_token": "shpat_x"},
        auth="client_credentials",
    )

    assert refused.status_code == 400
    assert problem(refused) == {
        "code": "validation_error",
        "detail": "Shopify credentials: access_token not used by client_credentials",
    }
    assert not ChannelAccount.objects.exists()


def test_switching_the_mode_without_its_credentials_is_refused_and_changes_nothing(
    api_client,
    dev_dashboard_shop,
):
    manager = api_client("manager")
    _create(manager, dev_dashboard_shop, {"access_token": "shpat_legacy", "webhook_secret": "w"})
    account = ChannelAccount.objects.get()

    refused = manager.patch(
        f"{ACCOUNTS}{account.pk}/", {"options": {"auth": "client_credentials"}}, format="json"
    )

    assert refused.status_code == 400
    assert problem(refused) == {
        "code": "validation_error",
        "detail": "Shopify credentials: client_id is required for client_credentials; client_secret is "
        "required for client_credentials; access_token, webhook_secret not used by client_credentials",
    }
    account.refresh_from_db()
    assert account.options == {"api_version": "2026-10"}
