"""The fake eBay speaks eBay's protocol: OAuth errors, limits with eBay's error bodies, the
revision cap, signatures that verify with the published key, and the control routes."""

from __future__ import annotations

import base64
import json

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

from config.sandbox.ebay import SCOPES, FakeEbay
from config.sandbox.ebay.notifications import envelope
from config.sandbox.ebay.signing import compact

TOKEN = "/identity/v1/oauth2/token"


class Clock:
    def __init__(self) -> None:
        self.now = 1_796_601_600.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def settings():
    """These tests need no Django settings (the suite's autouse fixtures ask for this one)."""
    import types

    return types.SimpleNamespace()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def fake(clock):
    with FakeEbay(clock=clock) as server:
        yield server


def _basic(fake) -> str:
    return "Basic " + base64.b64encode(f"{fake.state.client_id}:{fake.state.client_secret}".encode()).decode()


def _token(fake, form: dict, *, auth: str | None = None):
    return requests.post(
        fake.url + TOKEN,
        data=form,
        headers={"Authorization": auth or _basic(fake), "Content-Type": "application/x-www-form-urlencoded"},
        timeout=5,
    )


def _user_token(fake) -> dict:
    answer = _token(
        fake, {"grant_type": "authorization_code", "code": fake.consent(), "redirect_uri": fake.state.ru_name}
    )
    assert answer.status_code == 200
    return answer.json()


def _api(fake, method: str, path: str, token: str, **kwargs):
    return requests.request(
        method, fake.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=5, **kwargs
    )


def test_the_code_grant_answers_ebays_shape_once_and_the_refresh_keeps_the_refresh_token(fake, clock):
    code = fake.consent()
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": fake.state.ru_name}
    first = _token(fake, form).json()
    assert set(first) == {
        "access_token",
        "expires_in",
        "refresh_token",
        "refresh_token_expires_in",
        "token_type",
    }
    assert (first["expires_in"], first["refresh_token_expires_in"], first["token_type"]) == (
        7200, 47_304_000, "User Access Token",
    )  # fmt: skip
    again = _token(fake, form)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    refreshed = _token(fake, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}).json()
    assert set(refreshed) == {"access_token", "expires_in", "token_type"}
    wider = _token(
        fake, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "scope": "x"}
    )
    assert wider.json()["error"] == "invalid_scope"
    assert _token(fake, form, auth="Basic bm9wZTpub3Bl").status_code == 401
    clock.now += 7200
    expired = _api(fake, "GET", "/sell/inventory/v1/inventory_item", first["access_token"])
    assert (expired.status_code, expired.json()["errors"][0]["errorId"]) == (401, 1001)


def test_a_code_expires_after_299_seconds(fake, clock):
    code = fake.consent(SCOPES)
    clock.now += 300
    answer = _token(
        fake, {"grant_type": "authorization_code", "code": code, "redirect_uri": fake.state.ru_name}
    )
    assert answer.json() == {
        "error": "invalid_grant",
        "error_description": (
            "the provided authorization grant code is invalid or was issued to another client"
        ),
    }


def test_bulk_updates_take_1_to_25_elements_and_250_revisions_a_listing_a_day(fake, clock):
    token = _user_token(fake)["access_token"]
    offer = fake.item_add("MUG-RED", 5)
    url = "/sell/inventory/v1/bulk_update_price_quantity"
    too_many = {"requests": [{"offers": [{"offerId": offer.offer_id, "availableQuantity": 1}]}] * 26}
    answer = _api(fake, "POST", url, token, json=too_many)
    assert (answer.status_code, answer.json()["errors"][0]["errorId"]) == (400, 25002)
    one = {"requests": [{"offers": [{"offerId": offer.offer_id, "availableQuantity": 3}]}]}
    for _ in range(250):
        assert _api(fake, "POST", url, token, json=one).status_code == 200
    capped = _api(
        fake,
        "POST",
        url,
        token,
        json={"requests": [{"offers": [{"offerId": offer.offer_id, "availableQuantity": 0}]}]},
    )
    assert capped.status_code == 207
    [element] = capped.json()["responses"]
    assert (element["statusCode"], element["errors"][0]["errorId"]) == (400, 25002)
    assert "maximum number of revisions (250)" in element["errors"][0]["message"]
    assert fake.quantity("MUG-RED") == 3
    clock.now += 86400  # the next day (the token of yesterday has expired)
    assert _api(fake, "POST", url, _user_token(fake)["access_token"], json=one).status_code == 200


def test_the_daily_quota_answers_429_with_error_2001(fake):
    token = _user_token(fake)["access_token"]
    fake.state.quotas["fulfillment"] = 1
    assert _api(fake, "GET", "/sell/fulfillment/v1/order", token).status_code == 200
    answer = _api(fake, "GET", "/sell/fulfillment/v1/order", token)
    assert answer.status_code == 429 and "Retry-After" not in answer.headers
    assert answer.json()["errors"][0] == {
        "errorId": 2001,
        "domain": "ACCESS",
        "subdomain": "Selling",
        "category": "REQUEST",
        "message": "Too many requests",
    }


def test_get_orders_validates_its_filter_and_limit(fake):
    token = _user_token(fake)["access_token"]
    bad = _api(
        fake, "GET", "/sell/fulfillment/v1/order", token, params={"filter": "lastmodifieddate:[yesterday..]"}
    )
    assert bad.json()["errors"][0]["errorId"] == 30810
    over = _api(fake, "GET", "/sell/fulfillment/v1/order", token, params={"limit": "201"})
    assert over.json()["errors"][0]["errorId"] == 31100


def test_a_sale_deducts_its_stock_and_a_signed_notice_verifies_with_the_published_key(fake):
    fake.item_add("MUG-RED", 1)
    bought = requests.post(fake.url + "/_fake/buy", json={"sku": "MUG-RED", "quantity": 1}, timeout=5)
    assert bought.status_code == 201 and bought.json()["order_id"]
    assert requests.get(fake.url + "/_fake/quantities", timeout=5).json() == {"MUG-RED": 0}
    refused = requests.post(fake.url + "/_fake/buy", json={"sku": "MUG-RED", "quantity": 1}, timeout=5)
    assert (refused.status_code, refused.json()) == (409, {"error": "out of stock"})

    app = _token(
        fake, {"grant_type": "client_credentials", "scope": "https://api.ebay.com/oauth/api_scope"}
    ).json()
    body = compact(envelope("ORDER_CONFIRMATION", {"orderId": bought.json()["order_id"]}, moment=0))
    header = json.loads(base64.b64decode(fake.signer.header(body)))
    key = _api(
        fake, "GET", f"/commerce/notification/v1/public_key/{header['kid']}", app["access_token"]
    ).json()
    assert (key["algorithm"], key["digest"]) == ("ECDSA", "SHA1") and "\n" not in key["key"]
    der = base64.b64decode(
        key["key"].removeprefix("-----BEGIN PUBLIC KEY-----").removesuffix("-----END PUBLIC KEY-----")
    )
    load_der_public_key(der).verify(base64.b64decode(header["signature"]), body, ec.ECDSA(hashes.SHA1()))  # noqa: S303
    unknown = _api(fake, "GET", "/commerce/notification/v1/public_key/nope", app["access_token"])
    assert (unknown.status_code, unknown.json()["errors"][0]["errorId"]) == (404, 195001)
