"""Auth, API version routing and HTTP-level faults of the fake Shopify Admin API."""

from __future__ import annotations

import requests

from config.sandbox.shopify.executor import UNAUTHORIZED

SHOP = "{ shop { name myshopifyDomain } }"


def test_missing_and_wrong_token_get_shopifys_401_body_and_no_data(fake_shopify, shopify_client):
    for token in (None, "shpat_wrong"):
        status, _, body = shopify_client.post(SHOP, token=token)
        assert status == 401
        assert body == {
            "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
        }
        assert body == UNAUTHORIZED
    assert fake_shopify.counters["unauthorized"] == 2
    assert fake_shopify.counters.get("cost_requested", 0) == 0


def test_right_token_answers_with_data_cost_and_served_version_header(fake_shopify, shopify_client):
    status, headers, body = shopify_client.post(SHOP)
    assert status == 200
    assert headers["X-Shopify-API-Version"] == "2026-10"
    assert body["data"] == {"shop": {"name": "Fake Linen Shop", "myshopifyDomain": "fake-shop.myshopify.com"}}
    assert body["extensions"]["cost"] == {
        "requestedQueryCost": 1,
        "actualQueryCost": 1,
        "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 999, "restoreRate": 50.0},
    }


def test_unsupported_old_version_falls_forward_to_the_oldest_supported(shopify_client):
    status, headers, _ = shopify_client.post(SHOP, version="2024-10")
    assert status == 200
    assert headers["X-Shopify-API-Version"] == "2026-01"


def test_release_candidate_and_unstable_are_served_as_themselves(shopify_client):
    assert shopify_client.post(SHOP, version="2027-01")[1]["X-Shopify-API-Version"] == "2027-01"
    assert shopify_client.post(SHOP, version="unstable")[1]["X-Shopify-API-Version"] == "unstable"


def test_versions_that_do_not_exist_are_404(shopify_client):
    for version in ("2026-02", "2027-04", "latest", "v1"):
        status, _, body = shopify_client.post(SHOP, version=version)
        assert (status, body) == (404, {"errors": "Not Found"})


def test_body_without_query_or_with_bad_variables_is_400(fake_shopify):
    for body in (b"{}", b"not json", b'{"query": "{ shop { name } }", "variables": [1]}'):
        response = requests.post(
            fake_shopify.graphql_url(),
            data=body,
            headers={"X-Shopify-Access-Token": fake_shopify.access_token},
            timeout=5,
        )
        assert response.status_code == 400
        assert response.json() == {"errors": {"query": "Required parameter missing or invalid"}}
    assert fake_shopify.internal_errors == []


def test_injected_429_with_retry_after_then_5xx_then_normal(fake_shopify, shopify_client):
    fake_shopify.faults.rate_limit_next(1, retry_after=2.0)
    fake_shopify.faults.fail_next(1, status=502)
    status, headers, body = shopify_client.post(SHOP)
    assert (status, headers["Retry-After"]) == (429, "2")
    assert "Exceeded" in body["errors"]
    status, _, body = shopify_client.post(SHOP)
    assert (status, body) == (502, {"errors": "Internal Server Error"})
    assert shopify_client.post(SHOP)[0] == 200
    assert fake_shopify.counters["injected_429"] == 1
    assert fake_shopify.counters["injected_502"] == 1
    assert fake_shopify.counters["status_200"] == 1
