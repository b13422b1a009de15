"""searchListingsItems of the fake: answers valid against Amazon's listings model, paging, limits."""

from __future__ import annotations

import pytest

from config.sandbox.amazon import fake_amazon_fixture
from config.sandbox.amazon.testing import MARKETPLACE, SpApiCaller

amazon = fake_amazon_fixture()


@pytest.fixture
def api(amazon):
    return SpApiCaller(amazon, amazon.access_token())


def _search(api, **params):
    query = {"marketplaceIds": MARKETPLACE, **params}
    return api.call(
        "searchListingsItems", "GET", f"/listings/2021-08-01/items/{api.fake.config.seller_id}", params=query
    )


def test_search_pages_through_every_listing_once_with_quantities_and_fba_channel(amazon, api):
    for n in range(5):
        amazon.seed_listing(f"SKU-{n}", n)
    amazon.seed_listing("FBA-1", 40, fulfillment_channel_code="AMAZON_NA")
    seen, token, pages = {}, None, 0
    while True:
        extra = {"pageToken": token} if token else {}
        answer = _search(
            api, includedData="summaries,fulfillmentAvailability", pageSize="2", sortBy="sku", **extra
        )
        assert answer.status_code == 200
        body = answer.json()
        assert body["numberOfResults"] == 6
        pages += 1
        for item in body["items"]:
            assert item["sku"] not in seen
            seen[item["sku"]] = item["fulfillmentAvailability"][0]
        token = body.get("pagination", {}).get("nextToken")
        if not token:
            break

    assert pages == 3
    assert seen["SKU-3"] == {"fulfillmentChannelCode": "DEFAULT", "quantity": 3}
    assert seen["FBA-1"] == {"fulfillmentChannelCode": "AMAZON_NA"}
    assert list(seen) == sorted(seen, reverse=True)  # sortOrder defaults to DESC
    assert amazon.stats.requests["searchListingsItems"] == 3


def test_search_default_page_is_ten_summaries_and_answers_carry_the_rate_header(amazon, api):
    for n in range(12):
        amazon.seed_listing(f"S-{n:02d}", 1)

    answer = _search(api)

    body = answer.json()
    assert len(body["items"]) == 10
    assert set(body["items"][0]) == {"sku", "summaries"}
    assert "nextToken" in body["pagination"] and "previousToken" not in body["pagination"]
    assert answer.headers["x-amzn-RateLimit-Limit"] == "5.0"


@pytest.mark.parametrize(
    "params",
    [{"pageSize": "21"}, {"pageSize": "0"}, {"pageToken": "garbage"}, {"includedData": "nonsense"}],
)
def test_search_rejects_invalid_input_with_400(amazon, params):
    caller = SpApiCaller(amazon, amazon.access_token(), validate=False)

    answer = _search(caller, **params)

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "BAD_REQUEST"


def test_search_of_another_seller_is_403_and_burst_of_five_then_quota_exceeded(amazon, api):
    other = api.call(
        "searchListingsItems",
        "GET",
        "/listings/2021-08-01/items/OTHERSELLER",
        params={"marketplaceIds": MARKETPLACE},
    )
    assert other.status_code == 403

    statuses = [_search(api).status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 200, 429]  # the 403 above took the first token of 5
    assert amazon.stats.throttled["searchListingsItems"] == 1
