"""OAuth 1.0a signing against the fake's independent check, and the bearer option."""

from __future__ import annotations

import pytest

from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.magento.connector import MagentoConnector
from channels_app.connectors.magento.oauth import (
    authorization_header,
    base_string,
    percent_encode,
    query_pairs,
)


def test_base_string_follows_rfc5849_example():
    # RFC 5849 section 3.4.1.1: the example request's parameters and base string URI.
    url = "http://EXAMPLE.COM:80/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"
    params = [
        ("oauth_consumer_key", "9djdj82h48djs9d2"),
        ("oauth_token", "kkk9d7dh3k39sjv7"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131201"),
        ("oauth_nonce", "7d8f3e4a"),
        ("c2", ""),
        ("a3", "2 q"),
        *query_pairs("b5=%3D%253D&a3=a&c%40=&a2=r%20b"),
    ]
    assert base_string(method="post", url=url, params=params) == (
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26"
        "c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26"
        "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
    )


def test_header_carries_the_protocol_parameters_percent_encoded():
    header = authorization_header(
        method="GET", url="https://shop.example/rest/default/V1/orders?a=b c", consumer_key="ck",
        consumer_secret="cs", token="at", token_secret="ts", nonce="n1", timestamp=1700000000,
    )  # fmt: skip
    assert header.startswith(
        'OAuth oauth_consumer_key="ck",oauth_nonce="n1",oauth_signature_method="HMAC-SHA256",'
    )
    assert 'oauth_timestamp="1700000000",oauth_token="at",oauth_version="1.0",oauth_signature="' in header
    assert percent_encode("a b+/=") == "a%20b%2B%2F%3D"


def test_signed_requests_with_query_and_body_are_accepted(fake_magento, magento_connector):
    fake_magento.store.product_add("SKU 1/a")  # a space and a slash in a filtered value
    connector = magento_connector()
    page = connector.listings_fetch(cursor=None)
    assert [listing.external_id for listing in page.listings] == ["SKU 1/a"]
    assert all(r.get("status") == 200 for r in fake_magento.requests)


def test_a_wrong_signature_is_refused_and_says_so(fake_magento, magento_connector):
    creds = {**fake_magento.integration.credentials(), "consumer_secret": "not-the-secret"}
    connector = magento_connector(credentials=creds)
    with pytest.raises(ConnectorError) as caught:
        connector.listings_fetch(cursor=None)
    assert caught.value.status == 401
    assert "The signature is invalid" in caught.value.body
    assert "refused our OAuth signature" in str(caught.value)
    assert [r["status"] for r in fake_magento.requests] == [401]


def test_a_wrong_token_secret_is_refused_too(fake_magento, magento_connector):
    creds = {**fake_magento.integration.credentials(), "access_token_secret": "wrong"}
    with pytest.raises(ConnectorError, match="refused our OAuth signature"):
        magento_connector(credentials=creds).orders_fetch_changed(since=None, cursor=None)


def test_bearer_is_refused_unless_the_store_enables_it(fake_magento, magento_connector):
    creds = {"access_token": fake_magento.integration.access_token}
    connector = magento_connector(credentials=creds, auth="bearer")
    with pytest.raises(ConnectorError) as caught:
        connector.listings_fetch(cursor=None)
    assert caught.value.status == 401
    assert "Allow OAuth Access Tokens to be used as standalone Bearer tokens" in str(caught.value)

    fake_magento.integration.bearer_enabled = True
    assert magento_connector(credentials=creds, auth="bearer").listings_fetch(cursor=None).listings == []
    assert fake_magento.requests[-1]["authorization"] == f"Bearer {creds['access_token']}"


def test_a_missing_acl_resource_is_named(fake_magento, magento_connector):
    fake_magento.integration.resources = {"Magento_Catalog::products"}
    with pytest.raises(ConnectorError, match="lacks an API resource") as caught:
        magento_connector().orders_fetch_changed(since=None, cursor=None)
    assert "Magento_Sales::actions_view" in caught.value.body


def test_credentials_problems_per_mode():
    assert (
        MagentoConnector.credentials_problems(credentials={"access_token": "t"}, options={"auth": "bearer"})
        == []
    )
    assert MagentoConnector.credentials_problems(credentials={"access_token": "t"}, options={}) == [
        "consumer_key is required with auth 'oauth'",
        "consumer_secret is required with auth 'oauth'",
        "access_token_secret is required with auth 'oauth'",
    ]
