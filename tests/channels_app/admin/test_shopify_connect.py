"""Connect Shopify (authorization code grant with expiring offline tokens) from the account admin:
state, HMAC and shop checked; the rotating refresh token stored encrypted; a revoked app shows
"Reconnect Shopify" on the account (admin and API) and stops asking Shopify."""

from __future__ import annotations

import pytest

from channels_app.intake.polling import account_orders_sync
from channels_app.models import ChannelAccount, ChannelToken
from channels_app.selectors.connection import account_connection
from channels_app.services.accounts import account_connector, account_create
from channels_app.services.tokens import token_clock_set
from config.sandbox.shopify.fixtures import SIM_START
from config.sandbox.shopify.oauth import EXPIRING_LIFETIME, REFRESH_LIFETIME, query_hmac
from tests.channels_app.helpers import shopify_connect
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency_account(dev_dashboard_shop, settings):
    """An account of an agency's Dev Dashboard app (no client credentials on a store it does not
    own), not connected yet; the token clock is the fake's simulated clock."""
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    fake = dev_dashboard_shop
    fake.oauth.client_credentials = False
    token_clock_set(fake.oauth.clock)
    account = account_create(
        kind="shopify",
        name="Client store",
        base_url=fake.url,
        credentials={"client_id": fake.oauth.client_id, "client_secret": fake.client_secret},
        options={
            "auth": "authorization_code",
            "shop_domain": fake.state.shop["domain"],
            "api_version": "2026-10",
            "location_id": next(iter(fake.state.locations.values())).gid,
        },
        schedule=False,
    )
    yield fake, account
    token_clock_set(None)


def _client(client, role: str):
    client.force_login(UserFactory(role=role))
    return client


def test_connect_stores_an_expiring_offline_token_and_its_refresh_token_encrypted(agency_account, client):
    fake, account = agency_account
    before = account_connection(account=account)

    response = shopify_connect(_client(client, "manager"), account)
    row = ChannelToken.objects.get(account=account)
    listings = account_connector(account=account).listings_fetch(cursor=None).listings

    assert (before.state, before.connect_flow) == ("not_connected", True)
    assert response.status_code == 302
    assert (row.version, row.expires_at) == (1, SIM_START + EXPIRING_LIFETIME)
    assert row.refresh_expires_at == SIM_START + REFRESH_LIFETIME
    assert "shprt_" not in row.secrets_encrypted and "shpat_" not in row.secrets_encrypted
    assert account_connection(account=account).state == "connected"
    assert fake.counters["oauth:authorization_code"] == 1
    assert fake.counters.get("oauth:refresh_token", 0) == 0  # the fresh token was used as it came
    assert len(listings) == 20


@pytest.mark.parametrize(
    ("tamper", "why"),
    [
        pytest.param(
            lambda q: q.update(timestamp=str(int(q["timestamp"]) + 1)),
            "HMAC does not verify",
            id="forged-hmac",
        ),
        pytest.param(lambda q: q.update(state="someone-elses"), "state mismatch", id="state-mismatch"),
        pytest.param(
            lambda q: q.update(
                shop="other-store.myshopify.com",
                hmac=query_hmac(
                    secret="fake_client_secret", params={**q, "shop": "other-store.myshopify.com"}
                ),
            ),
            "not this account's shop",
            id="another-shop-signed",
        ),
        pytest.param(
            lambda q: q.update(
                shop="evil.example.com",
                hmac=query_hmac(secret="fake_client_secret", params={**q, "shop": "evil.example.com"}),
            ),
            "not a *.myshopify.com domain",
            id="not-myshopify",
        ),
    ],
)
def test_a_callback_that_does_not_verify_is_refused_and_stores_nothing(agency_account, client, tamper, why):
    fake, account = agency_account

    response = shopify_connect(_client(client, "manager"), account, tamper=tamper)
    page = client.get(response["Location"])

    assert response.status_code == 302
    shown = [m.message for m in page.context["messages"]]
    assert len(shown) == 1 and shown[0].startswith("Client store: not connected: "), shown
    assert why in shown[0]
    assert not ChannelToken.objects.filter(account=account, version__gt=0).exists()
    assert fake.counters.get("oauth:authorization_code", 0) == 0  # the code was never exchanged


def test_a_callback_replayed_after_connecting_is_refused(agency_account, client):
    fake, account = agency_account
    manager = _client(client, "manager")
    captured = {}
    shopify_connect(manager, account, tamper=captured.update)
    query = "&".join(f"{k}={v}" for k, v in captured.items())

    replay = manager.get(f"/admin/channels_app/channelaccount/connect/callback/?{query}")

    assert replay.status_code == 302
    assert ChannelToken.objects.get(account=account).version == 1
    assert fake.counters["oauth:authorization_code"] == 1


def test_an_operator_can_neither_start_nor_finish_a_connect(agency_account, client):
    fake, account = agency_account
    operator = _client(client, "operator")

    start = operator.get(f"/admin/channels_app/channelaccount/{account.pk}/connect/")
    callback = operator.get("/admin/channels_app/channelaccount/connect/callback/?code=x&state=y")

    assert (start.status_code, callback.status_code) == (403, 403)
    assert fake.counters.get("oauth:authorize", 0) == 0
    assert not ChannelToken.objects.filter(account=account).exists()


def test_the_token_is_refreshed_before_it_expires_and_the_refresh_token_rotates(agency_account, client):
    fake, account = agency_account
    shopify_connect(_client(client, "manager"), account)
    first = ChannelToken.objects.get(account=account)
    connector = account_connector(account=account)

    fake.oauth.clock.advance(EXPIRING_LIFETIME - 200)  # inside the renewal margin
    connector.listings_fetch(cursor=None)
    connector.listings_fetch(cursor=None)
    second = ChannelToken.objects.get(account=account)

    assert fake.counters["oauth:refresh_token"] == 1
    assert fake.counters.get("unauthorized", 0) == 0
    assert second.version == 2
    assert second.secrets_encrypted != first.secrets_encrypted
    assert second.expires_at == fake.oauth.clock() + EXPIRING_LIFETIME


def test_a_revoked_app_shows_reconnect_shopify_and_stops_asking_until_reconnected(
    agency_account, client, api_client
):
    fake, account = agency_account
    manager = _client(client, "manager")
    shopify_connect(manager, account)
    fake.oauth.revoke()  # the merchant uninstalled the app
    fake.oauth.clock.advance(EXPIRING_LIFETIME)

    with pytest.raises(Exception, match="Reconnect Shopify"):
        account_orders_sync(account_id=account.pk)
    asked = fake.counters["oauth:refresh_token"]
    with pytest.raises(Exception, match="Reconnect Shopify"):
        account_orders_sync(account_id=account.pk)
    state = account_connection(account=account)
    api = api_client("viewer").get(f"/api/v1/channel-accounts/{account.pk}/").json()
    admin_list = manager.get("/admin/channels_app/channelaccount/").content.decode()

    assert asked == 1
    assert fake.counters["oauth:refresh_token"] == 1  # the second sync did not ask again
    assert state.state == "reconnect" and state.message.startswith("Reconnect Shopify: ")
    assert api["connection"]["state"] == "reconnect"
    assert api["connection"]["message"].startswith("Reconnect Shopify: Shopify refused the refresh token")
    assert api["last_error"] == state.message
    assert "Reconnect Shopify</a>" in admin_list
    # Reconnecting (the merchant installs the app again) clears it.
    shopify_connect(manager, account)
    account_orders_sync(account_id=account.pk)
    assert account_connection(account=account).state == "connected"
    assert ChannelAccount.objects.get(pk=account.pk).last_error == ""


def _add_form(fake, **fields) -> dict:
    return {
        "kind": "shopify",
        "name": "New seller",
        "base_url": fake.url,
        "options": '{"api_version": "2026-10"}',
        "enabled": "on",
        "buffer": 0,
        "percentage": 100,
        "min_published": 0,
        "poll_interval_seconds": 120,
        "adaptive_buffer": "on",
        "oversell_risk_percent": "1.00",
        **fields,
    }


def test_the_add_form_takes_exactly_the_client_id_and_secret_of_a_dev_dashboard_app(
    dev_dashboard_shop,
    client,
    settings,
):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    manager = _client(client, "manager")

    response = manager.post(
        "/admin/channels_app/channelaccount/add/",
        _add_form(
            dev_dashboard_shop,
            shopify_auth="client_credentials",
            shopify_client_id="the-client-id",
            shopify_client_secret="THE-CLIENT-SECRET",
        ),
    )
    account = ChannelAccount.objects.get()
    page = manager.get(f"/admin/channels_app/channelaccount/{account.pk}/change/")

    assert response.status_code == 302, response.content[:2000]
    assert account_connector(account=account).config.credentials == {
        "client_id": "the-client-id",
        "client_secret": "THE-CLIENT-SECRET",
    }
    assert account.options == {"api_version": "2026-10", "auth": "client_credentials"}
    assert b"THE-CLIENT-SECRET" not in page.content


def test_the_add_form_refuses_fields_of_another_mode_and_creates_nothing(dev_dashboard_shop, client):
    manager = _client(client, "manager")

    response = manager.post(
        "/admin/channels_app/channelaccount/add/",
        _add_form(
            dev_dashboard_shop,
            shopify_auth="client_credentials",
            shopify_client_id="id",
            shopify_access_token="shpat_legacy",
        ),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["shopify_client_secret"] == ["Required for this Shopify connection"]
    assert errors["shopify_access_token"] == ["Not used by this Shopify connection; leave it empty"]
    assert not ChannelAccount.objects.exists()
