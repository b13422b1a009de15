"""The fake shop's OAuth endpoints: Shopify's documented requests, answers and errors."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import requests

from config.sandbox.shopify.executor import UNAUTHORIZED
from config.sandbox.shopify.oauth import (
    CLIENT_CREDENTIALS_LIFETIME,
    EXPIRING_LIFETIME,
    REFRESH_LIFETIME,
    query_hmac,
)

SHOP = "{ shop { name } }"


def _token(fake, **form):
    return requests.post(f"{fake.url}/admin/oauth/access_token", data=form, timeout=10)


def _app(fake) -> dict:
    return {"client_id": fake.oauth.client_id, "client_secret": fake.client_secret}


def _graphql(fake, token: str) -> requests.Response:
    return requests.post(
        fake.graphql_url(), json={"query": SHOP}, headers={"X-Shopify-Access-Token": token}, timeout=10
    )


def test_client_credentials_answer_a_token_of_86399_seconds_without_refresh_token(dev_dashboard_shop):
    fake = dev_dashboard_shop

    answer = _token(fake, grant_type="client_credentials", **_app(fake))
    token = answer.json()["access_token"]
    fresh = _graphql(fake, token).status_code
    fake.oauth.clock.advance(CLIENT_CREDENTIALS_LIFETIME)
    expired = _graphql(fake, token)

    assert answer.status_code == 200
    assert set(answer.json()) == {"access_token", "scope", "expires_in"}
    assert answer.json()["expires_in"] == CLIENT_CREDENTIALS_LIFETIME == 86399
    assert token.startswith("shpat_")
    assert (fresh, expired.status_code, expired.json()) == (200, 401, UNAUTHORIZED)


def test_token_endpoint_errors_are_oauth_error_bodies(dev_dashboard_shop):
    fake = dev_dashboard_shop

    wrong_secret = _token(
        fake, grant_type="client_credentials", client_id=fake.oauth.client_id, client_secret="x"
    )
    fake.oauth.client_credentials = False
    other_org = _token(fake, grant_type="client_credentials", **_app(fake))
    bad_refresh = _token(fake, grant_type="refresh_token", refresh_token="shprt_unknown", **_app(fake))

    assert (wrong_secret.status_code, wrong_secret.json()["error"]) == (401, "invalid_client")
    assert (other_org.status_code, other_org.json()["error"]) == (400, "shop_not_permitted")
    assert bad_refresh.status_code == 400
    assert bad_refresh.json() == {
        "error": "invalid_grant",
        "error_description": "Token has been expired or revoked.",
    }


def _install(fake, redirect: str = "https://app.example/callback") -> dict:
    answer = requests.get(
        f"{fake.url}/admin/oauth/authorize",
        params={
            "client_id": fake.oauth.client_id,
            "scope": "read_orders",
            "redirect_uri": redirect,
            "state": "n1",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect
    return dict(parse_qsl(location.query))


def test_the_install_redirect_is_signed_and_its_code_gives_an_expiring_token_once(dev_dashboard_shop):
    fake = dev_dashboard_shop
    query = _install(fake)

    pair = _token(fake, code=query["code"], expiring="1", **_app(fake))
    again = _token(fake, code=query["code"], expiring="1", **_app(fake))

    assert set(query) == {"code", "hmac", "host", "shop", "state", "timestamp"}
    assert query["state"] == "n1" and query["shop"] == "fake-shop.myshopify.com"
    assert query["hmac"] == query_hmac(secret=fake.client_secret, params=query)
    assert pair.json()["expires_in"] == EXPIRING_LIFETIME
    assert pair.json()["refresh_token_expires_in"] == REFRESH_LIFETIME
    assert pair.json()["refresh_token"].startswith("shprt_")
    assert again.status_code == 400 and again.json()["error"] == "invalid_request"


def test_a_code_without_expiring_gives_a_non_expiring_token(dev_dashboard_shop):
    fake = dev_dashboard_shop

    answer = _token(fake, code=_install(fake)["code"], **_app(fake)).json()

    assert set(answer) == {"access_token", "scope"}


def test_a_used_refresh_token_works_until_its_replacement_is_used(dev_dashboard_shop):
    fake = dev_dashboard_shop
    first = _token(fake, code=_install(fake)["code"], expiring="1", **_app(fake)).json()["refresh_token"]

    second = _token(fake, grant_type="refresh_token", refresh_token=first, **_app(fake)).json()[
        "refresh_token"
    ]
    retried = _token(fake, grant_type="refresh_token", refresh_token=first, **_app(fake))  # answer was lost
    third = _token(fake, grant_type="refresh_token", refresh_token=second, **_app(fake))
    retired = _token(fake, grant_type="refresh_token", refresh_token=first, **_app(fake))

    assert retried.status_code == 200
    assert third.status_code == 200
    assert retired.status_code == 400 and retired.json()["error"] == "invalid_grant"
    assert not fake.oauth.refresh_valid(retried.json()["refresh_token"])  # the sibling is retired too


def test_an_uninstalled_app_loses_its_tokens_and_refresh_tokens(dev_dashboard_shop):
    fake = dev_dashboard_shop
    pair = _token(fake, code=_install(fake)["code"], expiring="1", **_app(fake)).json()

    fake.oauth.revoke()
    api = _graphql(fake, pair["access_token"])
    refresh = _token(fake, grant_type="refresh_token", refresh_token=pair["refresh_token"], **_app(fake))

    assert api.status_code == 401
    assert refresh.status_code == 400 and refresh.json()["error"] == "invalid_grant"
