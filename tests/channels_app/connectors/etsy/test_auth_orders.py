"""OAuth with PKCE, token refresh, x-api-key, receipts polling and shipments against the fake Etsy."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from channels_app.connectors.dto import FulfilmentDTO
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.etsy.auth import pkce_challenge
from channels_app.connectors.tokens import MemoryTokenStore
from tests.channels_app.connectors.etsy.conftest import connector_on, simple

CALLBACK = "https://stock.example.com/admin/channels_app/channelaccount/connect/callback/"


def test_pkce_challenge_matches_etsys_documented_vector():
    assert (
        pkce_challenge("vvkdljkejllufrvbhgeiegrnvufrhvrffnkvcknjvfid")
        == "DSWlW2Abh-cf8CeLL8-g3hQ2WQyYdKyiu83u_s7nRhI"
    )


def test_connect_with_pkce_then_calls_carry_the_token_as_issued_and_the_key_with_its_secret(fake_etsy):
    store = MemoryTokenStore(clock=fake_etsy.clock)
    connector = connector_on(
        fake_etsy, store=store, redirect_uri=CALLBACK, connect_url=f"{fake_etsy.url}/oauth/connect"
    )
    url = connector.connect_url(redirect_uri="ignored", state="state-123")
    query = parse_qs(urlsplit(url).query)
    assert query["scope"] == ["listings_r listings_w transactions_r transactions_w"]
    assert query["code_challenge_method"] == ["S256"] and query["client_id"] == [fake_etsy.keystring]

    back = requests.get(url, allow_redirects=False, timeout=5)
    params = {k: v[0] for k, v in parse_qs(urlsplit(back.headers["Location"]).query).items()}
    store.token = connector.connect_finish(params=params, state="state-123")
    fake_etsy.state.listing_add(title="Mug", inventory=simple("MUG", 2))
    connector.listings_fetch(cursor=None)

    sent = fake_etsy.api_calls()[-1].headers
    assert sent["x-api-key"] == f"{fake_etsy.keystring}:{fake_etsy.shared_secret}"
    assert sent["authorization"] == f"Bearer {store.token.access_token}"
    assert store.token.access_token.startswith(f"{fake_etsy.state.user_id}.")


def test_a_forged_state_or_wrong_verifier_is_refused(fake_etsy):
    connector = connector_on(fake_etsy, redirect_uri=CALLBACK, connect_url=f"{fake_etsy.url}/oauth/connect")
    back = requests.get(
        connector.connect_url(redirect_uri="", state="mine"), allow_redirects=False, timeout=5
    )
    params = {k: v[0] for k, v in parse_qs(urlsplit(back.headers["Location"]).query).items()}

    with pytest.raises(ConnectorError, match="state mismatch"):
        connector.connect_finish(params={**params, "state": "theirs"}, state="mine")
    with pytest.raises(ConnectorError, match="code_verifier does not match"):
        connector.auth.code_exchange(code=params["code"], redirect_uri=CALLBACK, state="other-flow")


def test_the_token_is_refreshed_before_it_expires_once_not_per_call(fake_etsy):
    connector = connector_on(fake_etsy)
    fake_etsy.state.listing_add(title="Mug", inventory=simple("MUG", 2))
    connector.listings_fetch(cursor=None)
    assert fake_etsy.oauth.refreshes == 0

    fake_etsy.clock.advance(3600 - 200)  # inside the renewal margin
    connector.listings_fetch(cursor=None)
    connector.listings_fetch(cursor=None)

    assert fake_etsy.oauth.refreshes == 1
    assert all(r.status == 200 for r in fake_etsy.api_calls())


def test_a_keystring_without_its_secret_is_refused_by_etsy(fake_etsy):
    answer = requests.get(
        f"{fake_etsy.url}/v3/application/openapi-ping", headers={"x-api-key": fake_etsy.keystring}, timeout=5
    )
    assert (answer.status_code, answer.json()) == (
        403,
        {"error": "Shared secret is required in x-api-key header."},
    )


def test_receipts_are_polled_by_last_modified_with_offset_pages_then_cancelled_ones(fake_etsy):
    fake_etsy.state.listing_add(title="Mug", inventory=simple("MUG", 9))
    since_stamp = fake_etsy.clock()
    receipts = [fake_etsy.buy("MUG", 1) for _ in range(3)]
    fake_etsy.state.receipt_cancel(receipts[0])
    connector = connector_on(fake_etsy, page_size=1)
    since = datetime.fromtimestamp(int(since_stamp), tz=UTC)
    seen, cursor = [], None
    for _ in range(10):
        page = connector.orders_fetch_changed(since=since, cursor=cursor)
        seen.extend(
            (o.external_id, o.status, [(line.sku_code, line.quantity) for line in o.lines])
            for o in page.orders
        )
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen == [
        (str(receipts[1]), "open", [("MUG", 1)]),
        (str(receipts[2]), "open", [("MUG", 1)]),
        (str(receipts[0]), "cancelled", [("MUG", 1)]),
    ]
    queries = [r.query for r in fake_etsy.api_calls() if r.path.endswith("/receipts")]
    assert queries[0]["min_last_modified"] == [str(int(since_stamp))]
    assert [q["offset"][0] for q in queries] == ["0", "1", "0"]
    assert [q["was_canceled"][0] for q in queries] == ["false", "false", "true"]


def test_a_shipment_is_reported_once_with_carrier_and_tracking(fake_etsy):
    fake_etsy.state.listing_add(title="Mug", inventory=simple("MUG", 9))
    receipt = fake_etsy.buy("MUG", 1)
    connector = connector_on(fake_etsy)
    shipment = FulfilmentDTO(
        order_external_id=str(receipt), lines={}, carrier="usps", tracking_number="9400111"
    )

    connector.fulfilment_push(fulfilment=shipment)
    connector.fulfilment_push(fulfilment=shipment)  # a retry after a lost answer

    stored = fake_etsy.state.receipts[receipt]
    assert [(s["carrier_name"], s["tracking_code"]) for s in stored["shipments"]] == [("usps", "9400111")]
    assert stored["is_shipped"] is True
    post = next(r for r in fake_etsy.requests if r.method == "POST" and r.path.endswith("/tracking"))
    assert post.body == {"send_bcc": False, "tracking_code": "9400111", "carrier_name": "usps"}


def test_credentials_and_shop_id_are_checked_before_anything_is_stored():
    from channels_app.connectors.etsy.connector import EtsyConnector

    assert EtsyConnector.credentials_problems(
        credentials={"keystring": "key:secret", "shared_secret": ""}, options={}
    ) == [
        "shared_secret is required",
        "keystring is the app's keystring alone (the secret goes in shared_secret)",
        "option shop_id (the shop's numeric id) is required",
    ]
    assert (
        EtsyConnector.credentials_problems(
            credentials={"keystring": "k", "shared_secret": "s"}, options={"shop_id": "42"}
        )
        == []
    )
