"""Record the sample payloads of this folder from the fake SP-API (whose answers are validated
against Amazon's models): ``python -m tests.channels_app.connectors.amazon.samples.record``.

searchListingsItems is not served by the fake; ``search_listings_items.json`` is written by hand
in the shape of the model's 200 example (listingsItems_2021-08-01.json).
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import requests

from config.sandbox.amazon import FakeAmazon, FakeClock
from config.sandbox.amazon.testing import SpApiCaller, listings_feed, submit_feed

HERE = Path(__file__).resolve().parent


def _save(name: str, data: object) -> None:
    (HERE / name).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main() -> None:
    """Start a fake, play a few buyers and a feed, save what the SP-API answered."""
    clock = FakeClock(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    with FakeAmazon(clock=clock) as fake:
        fake.seed_listing("LINEN-SHEET-Q", 12, item_name="Linen Sheet Queen", price="89.00")
        fake.seed_listing("LINEN-PILLOW", 30, item_name="Linen Pillowcase", price="24.50")
        fake.seed_listing(
            "LINEN-FBA-TOWEL", 40, fulfillment_channel_code="AMAZON_NA", item_name="Linen Towel"
        )
        fake.seed_listing(
            "LINEN-BLOCKED", 3, reject_updates="The SKU is blocked from offers by a listing policy"
        )
        fake.place_order(lines=[("LINEN-SHEET-Q", 2), ("LINEN-PILLOW", 1)])
        fake.advance(400)
        fake.place_order("LINEN-PILLOW", 3)  # stays Pending
        cancelled = fake.place_order("LINEN-SHEET-Q", 1)
        fake.advance(10)
        fake.cancel_order(cancelled.amazon_order_id)
        fake.advance(200)
        caller = SpApiCaller(fake, fake.access_token())
        orders = caller.get_orders(LastUpdatedAfter="2026-03-02T09:00:00Z").json()
        _save("get_orders.json", orders)
        for order in orders["payload"]["Orders"]:
            status = order["OrderStatus"].lower()
            path = f"/orders/v0/orders/{order['AmazonOrderId']}/orderItems"
            _save(f"get_order_items_{status}.json", caller.call("getOrderItems", "GET", path).json())
        for sku, name in (("LINEN-SHEET-Q", "seller"), ("LINEN-FBA-TOWEL", "fba")):
            answer = caller.call(
                "getListingsItem",
                "GET",
                caller.listing_path(sku),
                params={
                    "marketplaceIds": "ATVPDKIKX0DER",
                    "includedData": "summaries,attributes,fulfillmentAvailability",
                },
            )
            _save(f"get_listings_item_{name}.json", answer.json())
        feed_id = submit_feed(
            caller, listings_feed(fake.config.seller_id, {"LINEN-SHEET-Q": 9, "LINEN-BLOCKED": 2})
        )
        fake.advance(100)
        feed = caller.call("getFeed", "GET", f"/feeds/2021-06-30/feeds/{feed_id}").json()
        document = caller.call(
            "getFeedDocument", "GET", f"/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}"
        ).json()
        raw = requests.get(document["url"], timeout=10).content
        if document.get("compressionAlgorithm") == "GZIP":
            raw = gzip.decompress(raw)
        _save("feed_processing_report.json", json.loads(raw))


if __name__ == "__main__":
    main()
