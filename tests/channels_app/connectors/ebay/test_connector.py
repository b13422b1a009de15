"""The eBay connector against the fake eBay: auth, listings, orders, pushes, fulfilment, migration."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from channels_app.connectors.dto import FulfilmentDTO, ListingRef, QuantityUpdate
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.tokens import ReconnectRequired
from tests.channels_app.connectors.ebay.spec_check import all_validate, needs_specs

TOKEN_PATH = "/identity/v1/oauth2/token"


def _token_calls(fake, grant: str) -> int:
    return sum(
        1
        for r in fake.requests
        if r["path"] == TOKEN_PATH and parse_qs(r["raw"].decode()).get("grant_type") == [grant]
    )


def _ref(fake, sku: str) -> ListingRef:
    offer = fake.state.offers[fake.state.by_sku[sku]]
    return ListingRef(external_id=sku, external_offer_id=offer.offer_id, external_product_id=offer.listing_id)


def test_connect_url_goes_to_the_consent_page_and_its_redirect_connects(ebay, fake_ebay):
    connector = ebay(connect=False)
    fake_ebay.accept_url = "https://stock.example.com/channels/ebay/oauth/callback"
    url = connector.connect_url(redirect_uri="https://ignored.example/cb", state="st-1")
    answer = requests.get(url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    params = {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}
    assert (params["state"], params["expires_in"]) == ("st-1", "299")

    token = connector.connect_finish(params=params, state="st-1")

    assert token.refresh_token and token.expires_at == fake_ebay.state.clock() + 7200
    assert token.refresh_expires_at == fake_ebay.state.clock() + 47_304_000
    with pytest.raises(ConnectorError, match="state mismatch"):
        connector.connect_finish(params={**params, "state": "other"}, state="st-1")
    with pytest.raises(ConnectorError, match="Reconnect eBay"):  # the code is single-use
        connector.connect_finish(params=params, state="st-1")


def test_the_token_is_refreshed_before_expiry_and_never_per_request(ebay, fake_ebay, clock):
    fake_ebay.item_add("MUG-RED", 3)
    connector = ebay()
    for _ in range(5):
        connector.listings_fetch(cursor=None)
    assert _token_calls(fake_ebay, "refresh_token") == 0

    clock.now += 7200 - 200  # inside the renewal margin
    connector.listings_fetch(cursor=None)
    connector.listings_fetch(cursor=None)

    assert _token_calls(fake_ebay, "refresh_token") == 1
    refresh = next(r for r in fake_ebay.requests if r["path"] == TOKEN_PATH and b"refresh_token" in r["raw"])
    form = parse_qs(refresh["raw"].decode())
    assert form["scope"][0].split() == [
        "https://api.ebay.com/oauth/api_scope",
        "https://api.ebay.com/oauth/api_scope/sell.inventory",
        "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
        "https://api.ebay.com/oauth/api_scope/commerce.notification.subscription",
    ]
    assert refresh["headers"]["Authorization"].startswith("Basic ")


def test_a_revoked_grant_asks_for_a_reconnect_and_stops_calling(ebay, fake_ebay, clock):
    connector = ebay()
    fake_ebay.state.revoke_all()
    clock.now += 7200
    with pytest.raises(ReconnectRequired, match="Reconnect eBay"):
        connector.listings_fetch(cursor=None)
    before = len(fake_ebay.requests)
    with pytest.raises(ReconnectRequired):
        connector.listings_fetch(cursor=None)
    assert len(fake_ebay.requests) == before


def test_listings_are_inventory_items_with_their_offers_and_say_why_not_synced(ebay, fake_ebay):
    fake_ebay.item_add("MUG-RED", 7)
    fake_ebay.item_add("MUG-TEAL", 2, published=False)
    fake_ebay.legacy_add("HUB-ONLY", 4)  # a Seller Hub listing: invisible to the Inventory API
    page = ebay(items_page_size=1).listings_fetch(cursor=None)
    assert [(x.external_id, x.quantity, x.push_enabled) for x in page.listings] == [("MUG-RED", 7, True)]
    red = fake_ebay.state.offers[fake_ebay.state.by_sku["MUG-RED"]]
    assert (page.listings[0].external_offer_id, page.listings[0].external_product_id) == (
        red.offer_id,
        red.listing_id,
    )
    second = ebay(items_page_size=1).listings_fetch(cursor=page.next_cursor)
    assert [(x.external_id, x.push_enabled, x.extra["why_not_synced"]) for x in second.listings] == [
        ("MUG-TEAL", False, "the offer is not published (no live listing)")
    ]
    assert second.next_cursor is None
    calls = [r for r in fake_ebay.requests if r["path"].startswith("/sell/")]
    assert all(r["headers"]["X-EBAY-C-MARKETPLACE-ID"] == "EBAY_US" for r in calls)


def test_migration_turns_eligible_seller_hub_listings_into_synced_ones(ebay, fake_ebay):
    good = fake_ebay.legacy_add("HUB-1", 4)
    auction = fake_ebay.legacy_add("HUB-2", 1, fixed_price=False)
    connector = ebay()
    outcomes = connector.listings_migrate(listing_ids=[good.listing_id, auction.listing_id])
    assert [(o.listing_id, o.ok, o.skus) for o in outcomes] == [
        (good.listing_id, True, ("HUB-1",)),
        (auction.listing_id, False, ()),
    ]
    assert "fixed-price" in outcomes[1].error
    assert [x.external_id for x in connector.listings_fetch(cursor=None).listings] == ["HUB-1"]
    with pytest.raises(ConnectorError, match="digits"):
        connector.listings_migrate(listing_ids=["abc"])


def test_push_sends_quantity_only_25_per_call(ebay, fake_ebay):
    skus = [f"SKU-{i:02d}" for i in range(30)]
    for sku in skus:
        fake_ebay.item_add(sku, 5)
    updates = [
        QuantityUpdate(listing=_ref(fake_ebay, sku), quantity=i, expected=5, idempotency_key=f"k{i}")
        for i, sku in enumerate(skus)
    ]
    prices = {sku: fake_ebay.state.offers[fake_ebay.state.by_sku[sku]].price for sku in skus}

    results = ebay().quantities_push(updates=updates)

    assert sorted((r.external_id, r.outcome, r.observed) for r in results) == sorted(
        (sku, "ok", i) for i, sku in enumerate(skus)
    )
    bulk = [r for r in fake_ebay.requests if r["path"].endswith("/bulk_update_price_quantity")]
    assert [len(r["body"]["requests"]) for r in bulk] == [25, 4]  # SKU-05 (5 -> 5) is not sent
    assert bulk[0]["body"]["requests"][0] == {
        "offers": [{"offerId": updates[0].listing.external_offer_id, "availableQuantity": 0}]
    }
    assert {sku: fake_ebay.state.offers[fake_ebay.state.by_sku[sku]].price for sku in skus} == prices
    assert [fake_ebay.quantity(sku) for sku in skus[:3]] == [0, 1, 2]


def test_orders_are_polled_by_last_modified_date_with_limit_and_offset(ebay, fake_ebay, clock):
    fake_ebay.item_add("MUG-RED", 9)
    for _ in range(3):
        fake_ebay.buy("MUG-RED", 1)
        clock.now += 1
    connector = ebay(orders_page_size=2)
    since = datetime.fromtimestamp(clock.now - 10, UTC)
    first = connector.orders_fetch_changed(since=since, cursor=None)
    second = connector.orders_fetch_changed(since=since, cursor=first.next_cursor)
    assert (len(first.orders), first.next_cursor, len(second.orders), second.next_cursor) == (2, "2", 1, None)
    order = first.orders[0]
    assert (
        order.status,
        order.lines[0].sku_code,
        order.lines[0].listing_external_id,
        order.lines[0].quantity,
    ) == (
        "open",
        "MUG-RED",
        "MUG-RED",
        1,
    )
    polls = [r for r in fake_ebay.requests if r["path"] == "/sell/fulfillment/v1/order"]
    assert polls[0]["query"]["filter"] == ["lastmodifieddate:[2026-12-06T23:59:53.000Z..]"]
    assert (polls[1]["query"]["limit"], polls[1]["query"]["offset"]) == (["2"], ["2"])
    fake_ebay.cancel(first.orders[0].external_id)
    again = connector.orders_fetch_changed(since=since, cursor=None)
    assert [o.status for o in again.orders if o.external_id == order.external_id] == ["cancelled"]


def test_fulfilment_reports_lines_carrier_and_tracking_and_a_retry_is_not_an_error(ebay, fake_ebay):
    fake_ebay.item_add("MUG-RED", 9)
    order = fake_ebay.buy("MUG-RED", 2)
    line = order.lines[0]["lineItemId"]
    shipped = FulfilmentDTO(
        order_external_id=order.order_id,
        lines={line: 2},
        carrier="USPS",
        tracking_number="9400111899223344556677",
    )
    connector = ebay()
    connector.fulfilment_push(fulfilment=shipped)
    connector.fulfilment_push(fulfilment=shipped)  # the answer was lost: eBay shows it FULFILLED
    sent = [r for r in fake_ebay.requests if r["path"].endswith("/shipping_fulfillment")]
    assert sent[0]["body"] == {
        "lineItems": [{"lineItemId": line, "quantity": 2}],
        "shippingCarrierCode": "USPS",
        "trackingNumber": "9400111899223344556677",
    }
    assert fake_ebay.state.orders[order.order_id].fulfillments == [
        {"lineItemId": line, "carrier": "USPS", "tracking": "9400111899223344556677"}
    ]
    with pytest.raises(ConnectorError, match="both a carrier"):
        connector.fulfilment_push(
            fulfilment=FulfilmentDTO(order_external_id=order.order_id, lines={line: 1}, carrier="USPS")
        )


def test_the_daily_call_quota_429_is_retryable_until_the_quota_day_turns(ebay, fake_ebay):
    fake_ebay.item_add("MUG-RED", 1)
    fake_ebay.state.quotas["inventory"] = 1
    connector = ebay()
    with pytest.raises(RetryableError) as caught:
        connector.listings_fetch(cursor=None)  # getInventoryItems takes the 1, getOffers is refused
    assert caught.value.status == 429 and 0 < caught.value.retry_after <= 900
    assert '"errorId": 2001' in caught.value.body


def test_every_request_sent_matches_ebays_published_contracts(ebay, fake_ebay, clock):
    needs_specs()
    fake_ebay.item_add("MUG-RED", 9)
    legacy = fake_ebay.legacy_add("HUB-1", 2)
    connector = ebay()
    connector.listings_fetch(cursor=None)
    connector.quantities_fetch(listings=[_ref(fake_ebay, "MUG-RED")])
    connector.quantities_push(
        updates=[
            QuantityUpdate(listing=_ref(fake_ebay, "MUG-RED"), quantity=4, expected=9, idempotency_key="k")
        ]
    )
    order = fake_ebay.buy("MUG-RED", 1)
    connector.orders_fetch_changed(since=datetime.fromtimestamp(clock.now - 60, UTC), cursor=None)
    connector.fulfilment_push(
        fulfilment=FulfilmentDTO(
            order_external_id=order.order_id,
            lines={order.lines[0]["lineItemId"]: 1},
            carrier="UPS",
            tracking_number="1Z999",
        )
    )
    connector.listings_migrate(listing_ids=[legacy.listing_id])
    assert all_validate(fake_ebay.requests) == 7
