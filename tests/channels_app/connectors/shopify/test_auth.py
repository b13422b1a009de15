"""Admin API tokens of a Dev Dashboard app against the fake shop's OAuth endpoints: the client
credentials token is requested once per lifetime and once per 401; refusals of the token endpoint
mark the account "Reconnect Shopify" and stop asking; transient failures do not."""

from __future__ import annotations

import pytest

from channels_app.connectors.dto import AccountConfig
from channels_app.connectors.errors import RetryableError
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.registry import connector_class_get
from channels_app.connectors.shopify.auth import RENEW_MARGIN, credentials_problems
from channels_app.connectors.tokens import MemoryTokenStore, ReconnectRequired, StoredToken
from config.sandbox.shopify.oauth import CLIENT_CREDENTIALS_LIFETIME


@pytest.fixture
def connector(dev_dashboard_shop):
    """``connector(store=..., **credentials)``: a client-credentials Shopify connector on the fake
    with a token store on the fake's simulated clock."""
    fake = dev_dashboard_shop

    def make(*, store: MemoryTokenStore | None = None, **credentials):
        config = AccountConfig(
            account_id=1,
            base_url=fake.url,
            credentials=credentials
            or {"client_id": fake.oauth.client_id, "client_secret": fake.client_secret},
            options={"api_version": "2026-10", "location_id": next(iter(fake.state.locations.values())).gid},
        )
        http = ChannelHttp(base_url=fake.url, allow_private=True, secrets=[fake.client_secret])
        cls = connector_class_get(kind="shopify")
        return cls(config=config, http=http, tokens=store or MemoryTokenStore(clock=fake.oauth.clock))

    return make


def test_many_calls_over_a_token_lifetime_make_one_token_request(connector, dev_dashboard_shop):
    fake = dev_dashboard_shop
    shop = connector()

    for _ in range(5):
        shop.listings_fetch(cursor=None)
        fake.oauth.clock.advance(3600)  # five hours, well inside the ~24 h lifetime

    assert fake.counters["oauth:client_credentials"] == 1
    assert fake.counters["query:productVariants"] == 5
    assert shop.auth.tokens.token.expires_at == fake.oauth.clock() - 5 * 3600 + CLIENT_CREDENTIALS_LIFETIME


def test_the_token_is_renewed_inside_the_margin_before_it_expires(connector, dev_dashboard_shop):
    fake = dev_dashboard_shop
    shop = connector()
    shop.listings_fetch(cursor=None)

    fake.oauth.clock.advance(CLIENT_CREDENTIALS_LIFETIME - RENEW_MARGIN + 1)
    shop.listings_fetch(cursor=None)

    assert fake.counters["oauth:client_credentials"] == 2
    assert fake.counters.get("unauthorized", 0) == 0  # renewed before Shopify refused it


def test_a_401_renews_the_token_once_and_sends_the_call_again(connector, dev_dashboard_shop):
    fake = dev_dashboard_shop
    shop = connector()
    shop.listings_fetch(cursor=None)
    fake.oauth.invalidate_access_tokens()

    page = shop.listings_fetch(cursor=None)

    assert len(page.listings) == 20
    assert fake.counters["unauthorized"] == 1
    assert fake.counters["oauth:client_credentials"] == 2
    assert shop.auth.tokens.token.version == 2


def test_a_refused_client_secret_marks_reconnect_and_the_next_call_asks_nobody(connector, dev_dashboard_shop):
    fake = dev_dashboard_shop
    store = MemoryTokenStore(clock=fake.oauth.clock)
    shop = connector(store=store, client_id=fake.oauth.client_id, client_secret="wrong")

    with pytest.raises(ReconnectRequired) as first:
        shop.listings_fetch(cursor=None)
    with pytest.raises(ReconnectRequired):
        shop.listings_fetch(cursor=None)

    assert str(first.value).startswith("Reconnect Shopify: Shopify refused the client credentials")
    assert "invalid_client" in str(first.value)
    assert "wrong" not in str(first.value)
    assert store.reason == str(first.value)
    assert fake.counters["oauth:client_credentials"] == 1  # the second call did not ask again
    assert fake.counters.get("query:productVariants", 0) == 0


def test_an_app_not_installed_on_the_shop_is_a_reconnect_with_shopifys_reason(connector, dev_dashboard_shop):
    fake = dev_dashboard_shop
    fake.oauth.client_credentials = False  # not an app of the shop's own organization

    with pytest.raises(ReconnectRequired, match="shop_not_permitted"):
        connector().listings_fetch(cursor=None)


def test_a_token_endpoint_outage_is_retryable_and_marks_nothing(connector, dev_dashboard_shop):
    fake = dev_dashboard_shop
    store = MemoryTokenStore(clock=fake.oauth.clock)
    shop = connector(store=store)
    fake.faults.fail_next(1, status=503)

    with pytest.raises(RetryableError):
        shop.listings_fetch(cursor=None)
    page = shop.listings_fetch(cursor=None)

    assert store.reason == ""
    assert len(page.listings) == 20


@pytest.mark.parametrize(
    ("credentials", "options", "problems"),
    [
        ({"client_id": "i", "client_secret": "s"}, {}, []),
        ({"access_token": "t", "webhook_secret": "w"}, {}, []),
        ({"client_id": "i", "client_secret": "s"}, {"auth": "authorization_code"}, []),
        ({"client_id": "i"}, {}, ["client_secret is required for client_credentials"]),
        (
            {"client_id": "i", "client_secret": "s", "access_token": "t"},
            {"auth": "client_credentials"},
            ["access_token not used by client_credentials"],
        ),
        ({"access_token": "t"}, {}, ["webhook_secret is required for access_token"]),
        (
            {"client_id": "i", "client_secret": "s"},
            {"auth": "password"},
            [
                "Unknown Shopify auth mode 'password'; "
                "one of access_token, client_credentials, authorization_code"
            ],
        ),
    ],
)
def test_each_mode_takes_exactly_its_credentials(credentials, options, problems):
    assert credentials_problems(credentials=credentials, options=options) == problems


def test_a_stored_token_never_shows_its_secrets_in_repr():
    token = StoredToken(access_token="shpat_SECRET", refresh_token="shprt_SECRET", expires_at=1.0)

    assert "SECRET" not in repr(token)
