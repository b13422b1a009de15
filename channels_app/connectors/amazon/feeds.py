"""The JSON_LISTINGS_FEED path for large quantity pushes, and the feeds this process waits for.

Workflow (feeds_2021-06-30.json; "Feeds API v2021-06-30 use case guide"): createFeedDocument
(contentType) -> PUT the document to the returned presigned URL with that same Content-Type ->
createFeed(feedType JSON_LISTINGS_FEED, marketplaceIds, inputFeedDocumentId) -> getFeed until
DONE (or FATAL / CANCELLED) -> getFeedDocument(resultFeedDocumentId) -> GET the processing report
(gzip when ``compressionAlgorithm`` is GZIP), whose ``issues`` name rejected messages by
``messageId`` / ``sku`` (listings-feed-processing-report-schema-v2.json).

A feed takes minutes, longer than one push call may block, so the connector submits it, answers
"retry" for its items, and on the engine's next push of the same (SKU, quantity) polls the feed
instead of sending again; once DONE, each item gets its outcome from the report. The feeds being
waited for are remembered in this process (:class:`FeedTracker`); another worker process that
retries the same listings submits its own feed of the same absolute quantities, which is
harmless. Persisting the feed id on the engine's listing row would remove that duplicate (see the
report).
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from channels_app.connectors.amazon.client import SpApiClient
from channels_app.connectors.amazon.mapping import feed_report_outcomes
from channels_app.connectors.base import ConnectorError

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


@dataclass
class TrackedFeed:
    """A feed this process submitted and waits for: what it sets, and its outcomes once DONE."""

    feed_id: str
    account_id: int
    quantities: dict[str, int]
    message_skus: dict[int, str]
    submitted_at: float = field(default_factory=time.monotonic)
    outcomes: dict[str, tuple[bool, str]] | None = None
    reported: set[str] = field(default_factory=set)


class FeedTracker:
    """The feeds of this process, by feed id (thread-safe)."""

    def __init__(self) -> None:
        self._feeds: dict[str, TrackedFeed] = {}
        self._lock = threading.Lock()

    def add(self, feed: TrackedFeed) -> None:
        """Start waiting for ``feed``."""
        with self._lock:
            self._prune()
            self._feeds[feed.feed_id] = feed

    def holding(self, *, account_id: int, sku: str, quantity: int) -> TrackedFeed | None:
        """The feed that carries exactly (sku, quantity) and has not reported it yet."""
        with self._lock:
            for feed in self._feeds.values():
                if (
                    feed.account_id == account_id
                    and feed.quantities.get(sku) == quantity
                    and sku not in feed.reported
                ):
                    return feed
        return None

    def unfinished_with(self, *, account_id: int, sku: str) -> TrackedFeed | None:
        """A feed not yet DONE that sets ``sku`` (to any quantity)."""
        with self._lock:
            for feed in self._feeds.values():
                if feed.account_id == account_id and feed.outcomes is None and sku in feed.quantities:
                    return feed
        return None

    def reported(self, feed: TrackedFeed, skus: Sequence[str]) -> None:
        """The engine got these SKUs' outcomes; forget the feed once all are given."""
        with self._lock:
            feed.reported.update(skus)
            if feed.reported >= set(feed.quantities):
                self._feeds.pop(feed.feed_id, None)

    def forget(self, feed: TrackedFeed) -> None:
        """Stop waiting for ``feed`` (FATAL or CANCELLED: its items are sent again)."""
        with self._lock:
            self._feeds.pop(feed.feed_id, None)

    def _prune(self) -> None:
        limit = time.monotonic() - TRACK_SECONDS
        for feed_id in [f.feed_id for f in self._feeds.values() if f.submitted_at < limit]:
            del self._feeds[feed_id]


TRACKER = FeedTracker()


def feed_submit(*, client: SpApiClient, marketplace_ids: Sequence[str], document: Mapping[str, Any]) -> str:
    """createFeedDocument, upload, createFeed; returns the feed id."""
    created = client.call_json(
        "createFeedDocument", "POST", "feeds/2021-06-30/documents", json={"contentType": CONTENT_TYPE}
    )
    try:
        document_id, url = str(created["feedDocumentId"]), str(created["url"])
    except (KeyError, TypeError):
        raise ConnectorError("createFeedDocument answered without feedDocumentId/url") from None
    _document_url_check(client=client, url=url)
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
    doc = client.call_json("getFeedDocument", "GET", f"feeds/2021-06-30/documents/{document_id}")
    if not isinstance(doc, Mapping) or not doc.get("url"):
        raise ConnectorError(f"getFeedDocument {document_id}: no url")
    _document_url_check(client=client, url=str(doc["url"]))
    raw = client.document_get(url=str(doc["url"]))
    if doc.get("compressionAlgorithm") == "GZIP":
        raw = gzip.decompress(raw)
    try:
        report = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ConnectorError(f"Processing report of {document_id} is not JSON") from None
    if not isinstance(report, dict):
        raise ConnectorError(f"Processing report of {document_id} is not an object")
    return report


def feed_outcomes(*, client: SpApiClient, feed: TrackedFeed) -> str:
    """Poll ``feed``: returns its status and, once DONE, fills ``feed.outcomes`` from the report."""
    if feed.outcomes is not None:
        return "DONE"
    status, result_id = feed_status(client=client, feed_id=feed.feed_id)
    if status == "DONE":
        if not result_id:
            raise ConnectorError(f"Feed {feed.feed_id} is DONE without a result document")
        report = feed_report(client=client, document_id=result_id)
        feed.outcomes = feed_report_outcomes(report, message_skus=feed.message_skus)
    return status


def _document_url_check(*, client: SpApiClient, url: str) -> None:
    from channels_app.connectors.amazon.endpoints import document_url_allowed

    if not document_url_allowed(url=url, base_url=client.http.base_url):
        raise ConnectorError("Refused a feed-document URL outside Amazon S3")
