"""Regions, sandbox and the hosts the connector may send credentials or documents to."""

from __future__ import annotations

import pytest

from channels_app.connectors.amazon.endpoints import (
    EndpointError,
    document_url_allowed,
    lwa_url_choose,
    region_of_host,
    sp_api_base_url,
)
from channels_app.connectors.dto import AccountConfig
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.registry import connector_build

CREDENTIALS = {"client_id": "id", "client_secret": "secret", "refresh_token": "Atzr|x"}


def test_regional_and_sandbox_endpoints():
    assert sp_api_base_url(region="na") == "https://sellingpartnerapi-na.amazon.com"
    assert sp_api_base_url(region="eu", sandbox=True) == "https://sandbox.sellingpartnerapi-eu.amazon.com"
    assert region_of_host("sandbox.sellingpartnerapi-fe.amazon.com") == ("fe", True)
    assert region_of_host("127.0.0.1") is None
    with pytest.raises(EndpointError):
        sp_api_base_url(region="mars")


def test_the_lwa_url_follows_the_region_and_refuses_foreign_hosts():
    base = "https://sellingpartnerapi-eu.amazon.com"
    assert lwa_url_choose(base_url=base, region="eu") == "https://api.amazon.co.uk/auth/o2/token"
    assert lwa_url_choose(base_url=base, region="fe") == "https://api.amazon.co.jp/auth/o2/token"
    with pytest.raises(EndpointError):
        lwa_url_choose(base_url=base, region="eu", override="https://evil.example.com/auth/o2/token")
    local = "http://127.0.0.1:8765"
    assert lwa_url_choose(base_url=local, region="na", override=f"{local}/auth/o2/token") == (
        f"{local}/auth/o2/token"
    )


def test_feed_documents_are_fetched_only_from_s3_or_the_accounts_own_host():
    base = "https://sellingpartnerapi-na.amazon.com"
    assert document_url_allowed(
        url="https://tortuga-prod-na.s3-external-1.amazonaws.com/x?X-Amz-Date=1", base_url=base
    )
    assert not document_url_allowed(url="http://tortuga-prod-na.s3.amazonaws.com/x", base_url=base)
    assert not document_url_allowed(url="https://attacker.example.com/x", base_url=base)


def test_an_account_whose_base_url_contradicts_its_region_is_refused():
    config = AccountConfig(
        account_id=1,
        base_url="https://sellingpartnerapi-eu.amazon.com",
        credentials=CREDENTIALS,
        options={"seller_id": "A1", "marketplace_ids": ["A1PA6795UKMFR9"], "region": "na"},
    )
    with pytest.raises(ConnectorError, match="eu endpoint"):
        connector_build(kind="amazon", config=config)


def test_an_account_needs_seller_id_marketplaces_and_all_three_credentials():
    base = {"account_id": 1, "base_url": "https://sellingpartnerapi-na.amazon.com"}
    with pytest.raises(ConnectorError, match="seller_id"):
        connector_build(kind="amazon", config=AccountConfig(**base, credentials=CREDENTIALS, options={}))
    options = {"seller_id": "A1", "marketplace_ids": ["ATVPDKIKX0DER"]}
    with pytest.raises(ConnectorError, match="refresh_token"):
        connector_build(
            kind="amazon",
            config=AccountConfig(**base, credentials={**CREDENTIALS, "refresh_token": ""}, options=options),
        )
    connector = connector_build(
        kind="amazon", config=AccountConfig(**base, credentials=CREDENTIALS, options=options)
    )
    assert connector.quantity_mode == "set"
