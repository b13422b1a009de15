"""searchListingsItems paging (the fake does not serve it: a small SP-API stand-in on 127.0.0.1
answers with the recorded sample), and quantities read back with getListingsItem on the fake."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from channels_app.connectors.dto import ListingRef
from channels_app.services.accounts import account_connector, account_create
from config.sandbox.amazon import specs as amazon_specs

pytestmark = pytest.mark.django_db
SAMPLE = json.loads((Path(__file__).parent / "samples" / "search_listings_items.json").read_text())


class _SearchHandler(BaseHTTPRequestHandler):
    def _answer(self, status: int, body: dict) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("x-amzn-RateLimit-Limit", "5.0")
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer(200, {"access_token": "Atza|stand-in", "token_type": "bearer", "expires_in": 3600})

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        self.server.seen.append((url.path, query, self.headers.get("x-amz-access-token")))
        if query.get("pageToken") == ["page-2-token"]:
            self._answer(200, {"numberOfResults": 3, "pagination": {"previousToken": "p1"}, "items": []})
        else:
            self._answer(200, SAMPLE)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def stand_in():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SearchHandler)
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_listings_are_read_page_by_page_with_fba_listings_not_pushable(stand_in):
    base = f"http://127.0.0.1:{stand_in.server_address[1]}"
    account = account_create(
        kind="amazon",
        name="Amazon stand-in",
        base_url=base,
        credentials={"client_id": "c", "client_secret": "s", "refresh_token": "Atzr|r"},
        options={
            "seller_id": "A2SELLER",
            "marketplace_ids": ["ATVPDKIKX0DER"],
            "lwa_url": f"{base}/auth/o2/token",
        },
        schedule=False,
    )
    connector = account_connector(account=account)

    first = connector.listings_fetch(cursor=None)
    second = connector.listings_fetch(cursor=first.next_cursor)

    assert [(li.external_id, li.push_enabled) for li in first.listings] == [
        ("LINEN-SHEET-Q", True),
        ("LINEN-FBA-TOWEL", False),
        ("LINEN/PILLOW-2", True),
    ]
    assert (first.next_cursor, second.listings, second.next_cursor) == ("page-2-token", [], None)
    path, query, token = stand_in.seen[0]
    assert (path, token) == ("/listings/2021-08-01/items/A2SELLER", "Atza|stand-in")
    assert query["includedData"] == ["summaries,fulfillmentAvailability"] and query["pageSize"] == ["20"]
    assert stand_in.seen[1][1]["pageToken"] == ["page-2-token"]
    if amazon_specs.specs_dir() is not None:
        model = amazon_specs.model("listings")
        for _, seen_query, _ in stand_in.seen:
            model.validate_request("searchListingsItems", query=seen_query)


def test_quantities_are_read_for_seller_fulfilled_listings_only(amazon, connect):
    amazon.seed_listing("LINEN-1", 4)
    amazon.seed_listing("TOWEL", 40, fulfillment_channel_code="AMAZON_NA")
    connector = account_connector(account=connect(amazon))

    found = connector.quantities_fetch(
        listings=[
            ListingRef(external_id="LINEN-1"),
            ListingRef(external_id="GONE"),
            ListingRef(external_id="TOWEL", extra={"fulfillment_channel_code": "AMAZON_NA"}),
            ListingRef(external_id="A/B"),
        ]
    )

    assert found == {"LINEN-1": 4}
    assert amazon.stats.requests["getListingsItem"] == 2  # LINEN-1 and the unknown GONE (404)
