"""The JSON_LISTINGS_FEED path for large quantity pushes: submit a feed, poll it, read its report.

Workflow (feeds_2021-06-30.json; "Feeds API v2021-06-30 use case guide"): createFeedDocument
(contentType) -> PUT the document to the returned presigned URL with that same Content-Type ->
createFeed(feedType JSON_LISTINGS_FEED, marketplaceIds, inputFeedDocumentId) -> getFeed until
DONE (or FATAL / CANCELLED) -> getFeedDocument(resultFeedDocumentId) -> GET the processing report
(gzip when ``compressionAlgorithm`` is GZIP), whose ``issues`` name rejected messages by
``messageId`` / ``sku`` (listings-feed-processing-report-schema-v2.json).

A feed takes minutes, longer than one push call may block, so the connector submits it and
answers "pending" for its items with a token naming the feed, the message and the quantity; the
engine stores it on each listing, so whichever worker pushes the listing next polls that feed
instead of sending a second one (see ``pushing``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from channels_app.connectors.amazon.client import SpApiClient
from channels_app.connectors.errors import ConnectorError

FEED_TYPE = "JSON_LISTINGS_FEED"
CONTENT_TYPE = "application/json; charset=UTF-8"
MAX_MESSAGES = 10000  # the schema allows 25,000; smaller feeds are processed sooner
FULFILLMENT_PATH = "/attributes/fulfillment_availability"
DEFAULT_PRODUCT_TYPE = "PRODUCT"
TRACK_SECONDS = 24 * 3600.0


def fulfillment_patch(quantity: int) -> dict[str, Any]:
    """The JSON Patch replacing the seller-fulfilled (DEFAULT) quantity."""
    return {
        "op": "replace",
        "path": FULFILLMENT_PATH,
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
    }


def listings_feed_document(
    *, seller_id: str, items: Sequence[tuple[str, int, str]]
) -> tuple[dict[str, Any], dict[int, str]]:
    """A JSON_LISTINGS_FEED of PATCH messages for (sku, quantity, product type) items; returns
    (document, message id -> sku)."""
    messages, message_skus = [], {}
    for number, (sku, quantity, product_type) in enumerate(items, start=1):
        messages.append(
            {
                "messageId": number,
                "sku": sku,
                "operationType": "PATCH",
                "productType": product_type or DEFAULT_PRODUCT_TYPE,
                "patches": [fulfillment_patch(quantity)],
            }
        )
        message_skus[number] = sku
    document = {
        "header": {"sellerId": seller_id, "version": "2.0", "issueLocale": "en_US"},
        "messages": messages,
    }
    return document, message_skus


def feed_submit(*, client: SpApiClient, marketplace_ids: Sequence[str], document: Mapping[str, Any]) -> str:
    """createFeedDocument, upload, createFeed; returns the feed id."""
    created = client.call_json(
        "createFeedDocument", "POST", "feeds/2021-06-30/documents", json={"contentType": CONTENT_TYPE}
    )
    try:
        document_id, url = str(created["feedDocumentId"]), str(created["url"])
    except (KeyError, TypeError):
        raise ConnectorError("createFeedDocument answered without feedDocumentId/url") from None
    client.document_url_check(url=url)
    client.document_put(url=url, body=json.dumps(document).encode("utf-8"), content_type=CONTENT_TYPE)
    feed = client.call_json(
        "createFeed",
        "POST",
        "feeds/2021-06-30/feeds",
        json={
            "feedType": FEED_TYPE,
            "marketplaceIds": list(marketplace_ids),
            "inputFeedDocumentId": document_id,
        },
    )
    try:
        return str(feed["feedId"])
    except (KeyError, TypeError):
        raise ConnectorError("createFeed answered without feedId") from None


def feed_status(*, client: SpApiClient, feed_id: str) -> tuple[str, str]:
    """(processingStatus, resultFeedDocumentId or "") of a feed."""
    feed = client.call_json("getFeed", "GET", f"feeds/2021-06-30/feeds/{feed_id}")
    if not isinstance(feed, Mapping) or not feed.get("processingStatus"):
        raise ConnectorError(f"getFeed {feed_id}: no processingStatus")
    return str(feed["processingStatus"]), str(feed.get("resultFeedDocumentId") or "")


def feed_report(*, client: SpApiClient, document_id: str) -> dict[str, Any]:
    """The processing report of a DONE feed (decompressed and decoded)."""
    raw = client.document_read(operation="getFeedDocument", path=f"feeds/2021-06-30/documents/{document_id}")
    try:
        report = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ConnectorError(f"Processing report of {document_id} is not JSON") from None
    if not isinstance(report, dict):
        raise ConnectorError(f"Processing report of {document_id} is not an object")
    return report
