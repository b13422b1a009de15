"""Feeds API 2021-06-30 with JSON_LISTINGS_FEED processing.

Flow (feeds_2021-06-30.json and Amazon's "Submit a feed" tutorial): createFeedDocument returns a
feedDocumentId and a presigned URL (valid 5 minutes) → the caller PUTs the document there with the
same Content-Type it declared → createFeed(feedType, marketplaceIds, inputFeedDocumentId) → getFeed
shows IN_QUEUE, IN_PROGRESS, then DONE (or FATAL) with resultFeedDocumentId → getFeedDocument gives
a URL of the processing report, whose format is listings-feed-processing-report-schema-v2.json.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import itertools
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .clock import iso
from .listings import apply_change, listing_item_json, plan_update

if TYPE_CHECKING:
    from .state import AmazonState

SUPPORTED_FEED_TYPES = ("JSON_LISTINGS_FEED",)
MAX_MESSAGES = 25000  # listings-feed-schema-v2.json: messages maxItems


@dataclass
class FeedDocument:
    """An uploaded input document or a generated result document."""

    feed_document_id: str
    content_type: str
    created: datetime
    content: bytes | None = None
    compression: str | None = None
    is_result: bool = False


@dataclass
class Feed:
    """A submitted feed and its processing state."""

    feed_id: str
    feed_type: str
    marketplace_ids: list[str]
    input_document_id: str
    created: datetime
    status: str = "IN_QUEUE"
    started: datetime | None = None
    ended: datetime | None = None
    result_document_id: str | None = None
    report: dict | None = None


def processing_step(job: Any, now: datetime, *, queue_seconds: float, processing_seconds: float) -> bool:
    """Move a feed or report (``status``, ``created``, ``started``, ``ended``) from IN_QUEUE to
    IN_PROGRESS after ``queue_seconds``; True when its ``processing_seconds`` are over too (``ended``
    is then set and the caller finishes it)."""
    if job.status == "IN_QUEUE" and now >= job.created + timedelta(seconds=queue_seconds):
        job.status = "IN_PROGRESS"
        job.started = job.created + timedelta(seconds=queue_seconds)
    if job.status == "IN_PROGRESS" and now >= job.started + timedelta(seconds=processing_seconds):
        job.ended = job.started + timedelta(seconds=processing_seconds)
        return True
    return False


def processing_json(job: Any) -> dict[str, Any]:
    """``createdTime``, ``processingStatus`` and, once known, ``processingStartTime`` /
    ``processingEndTime`` of a feed or report (getFeed, getReport)."""
    body: dict[str, Any] = {"createdTime": iso(job.created), "processingStatus": job.status}
    if job.started:
        body["processingStartTime"] = iso(job.started)
    if job.ended:
        body["processingEndTime"] = iso(job.ended)
    return body


def s3_error(code: str, message: str) -> bytes:
    """An S3-style XML error, as the presigned upload/download URLs answer."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
        f"<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>"
    ).encode()


class FeedStore:
    """Feed documents and feeds of the fake seller account."""

    def __init__(self, state: AmazonState) -> None:
        self.state = state
        self.documents: dict[str, FeedDocument] = {}
        self.feeds: dict[str, Feed] = {}
        self._ids = itertools.count(50001)
        self._secret = secrets.token_bytes(16)
        self.base_url = ""

    # ----------------------------------------------------------------- presigned URLs
    def _signature(self, doc_id: str, method: str, amz_date: str) -> str:
        return hmac.new(self._secret, f"{method}\n{doc_id}\n{amz_date}".encode(), hashlib.sha256).hexdigest()

    def presigned_url(self, doc_id: str, method: str, *, folder: str = "feed-documents") -> str:
        """A URL in the shape of an S3 presigned URL (X-Amz-* query), expiring after 5 minutes.
        ``folder`` "report-documents" gives the URL of a report document (``reports.py``)."""
        amz_date = self.state.clock.now().strftime("%Y%m%dT%H%M%SZ")
        ttl = int(self.state.config.document_url_ttl)
        kind = "upload" if method == "PUT" else "download"
        return (
            f"{self.base_url}/{folder}/{kind}/{doc_id}?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            f"&X-Amz-Date={amz_date}&X-Amz-Expires={ttl}&X-Amz-SignedHeaders=content-type%3Bhost"
            f"&X-Amz-Signature={self._signature(doc_id, method, amz_date)}"
        )

    def check_url(self, doc_id: str, method: str, query: dict[str, str]) -> bytes | None:
        """None when the presigned URL is valid now, else the S3 error body (HTTP 403)."""
        amz_date = query.get("X-Amz-Date", "")
        if not hmac.compare_digest(
            query.get("X-Amz-Signature", ""), self._signature(doc_id, method, amz_date)
        ):
            return s3_error(
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match "
                "the signature you provided. Check your key and signing method.",
            )
        issued = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=self.state.clock.now().tzinfo)
        if self.state.clock.now() > issued + timedelta(seconds=int(query.get("X-Amz-Expires", "0"))):
            return s3_error("AccessDenied", "Request has expired")
        return None

    # ----------------------------------------------------------------- documents
    def create_document(self, content_type: str) -> FeedDocument:
        """createFeedDocument."""
        doc = FeedDocument(
            feed_document_id=f"amzn1.tortuga.4.na.{uuid.uuid4()}.FAKE",
            content_type=content_type,
            created=self.state.clock.now(),
        )
        self.documents[doc.feed_document_id] = doc
        return doc

    def upload(
        self, doc_id: str, *, content_type: str, body: bytes, query: dict[str, str]
    ) -> tuple[int, bytes]:
        """PUT to the presigned URL: the Content-Type must be the one given to createFeedDocument,
        because it is one of the URL's signed headers (a mismatch gives SignatureDoesNotMatch)."""
        with self.state.lock:
            doc = self.documents.get(doc_id)
            if doc is None or doc.is_result:
                return 404, s3_error("NoSuchKey", "The specified key does not exist.")
            problem = self.check_url(doc_id, "PUT", query)
            if problem:
                return 403, problem
            if content_type.strip().lower() != doc.content_type.strip().lower():
                return 403, s3_error(
                    "SignatureDoesNotMatch",
                    "The request signature we calculated does not "
                    "match the signature you provided. Check your key and signing method.",
                )
            doc.content = body
            return 200, b""

    def download(self, doc_id: str, query: dict[str, str]) -> tuple[int, bytes, str]:
        """GET on a result document's presigned URL."""
        with self.state.lock:
            doc = self.documents.get(doc_id)
            if doc is None or doc.content is None:
                return 404, s3_error("NoSuchKey", "The specified key does not exist."), "application/xml"
            problem = self.check_url(doc_id, "GET", query)
            if problem:
                return 403, problem, "application/xml"
            return 200, doc.content, doc.content_type

    # ----------------------------------------------------------------- feeds
    def create_feed(self, *, feed_type: str, marketplace_ids: list[str], input_document_id: str) -> Feed:
        """createFeed (arguments already validated by the HTTP layer)."""
        feed = Feed(
            feed_id=str(next(self._ids)),
            feed_type=feed_type,
            marketplace_ids=marketplace_ids,
            input_document_id=input_document_id,
            created=self.state.clock.now(),
        )
        self.feeds[feed.feed_id] = feed
        return feed

    def tick(self, now: datetime) -> None:
        """Move feeds through IN_QUEUE → IN_PROGRESS → DONE/FATAL as fake time passes."""
        config = self.state.config
        for feed in self.feeds.values():
            if processing_step(
                feed,
                now,
                queue_seconds=config.feed_queue_seconds,
                processing_seconds=config.feed_processing_seconds,
            ):
                self._process(feed)

    def _store_report(self, feed: Feed, report: dict) -> None:
        body = json.dumps(report).encode()
        compression = None
        if self.state.config.feed_report_gzip:
            body, compression = gzip.compress(body), "GZIP"
        doc = self.create_document("application/json")
        doc.content, doc.compression, doc.is_result = body, compression, True
        feed.result_document_id = doc.feed_document_id
        feed.report = report

    def _process(self, feed: Feed) -> None:
        seller_id = self.state.config.seller_id
        raw = self.documents[feed.input_document_id].content or b""
        try:
            data = json.loads(raw.decode("utf-8"))
            header = data["header"]
            messages = data["messages"]
            if header.get("sellerId") != seller_id or header.get("version") != "2.0":
                raise ValueError("header.sellerId must be the seller's id and header.version '2.0'")
            if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_MESSAGES:
                raise ValueError(f"messages must hold 1 to {MAX_MESSAGES} entries")
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
            feed.status = "FATAL"
            self._store_report(
                feed,
                {
                    "header": {"sellerId": seller_id, "version": "2.0", "feedId": feed.feed_id},
                    "issues": [
                        {"code": "FAKE_FATAL", "severity": "ERROR", "message": f"Feed rejected: {exc}"}
                    ],
                    "summary": {
                        "errors": 1,
                        "warnings": 0,
                        "messagesProcessed": 0,
                        "messagesAccepted": 0,
                        "messagesInvalid": 0,
                    },
                },
            )
            return
        report_header: dict[str, Any] = {"sellerId": seller_id, "version": "2.0", "feedId": feed.feed_id}
        included = None
        if isinstance(header.get("report"), dict) and header["report"].get("includedData"):
            included = set(header["report"]["includedData"])
            report_header["report"] = header["report"]
        issues, accepted, invalid, items = [], 0, 0, []
        seen: set[int] = set()
        for message in messages:
            problems, sku = self._process_message(message, seen)
            if problems:
                invalid += 1
                ref = {"sku": sku} if sku else {}
                message_id = message.get("messageId") if isinstance(message, dict) else None
                if isinstance(message_id, int) and not isinstance(message_id, bool) and message_id >= 1:
                    ref["messageId"] = message_id
                issues.extend({**ref, **p} for p in problems)
            else:
                accepted += 1
                listing = self.state.listings.get(sku)
                if included and listing is not None:
                    items.append(
                        listing_item_json(listing, included=included, marketplace_ids=feed.marketplace_ids)
                    )
        feed.status = "DONE"
        report: dict[str, Any] = {
            "header": report_header,
            "issues": issues,
            "summary": {
                "errors": len(issues),
                "warnings": 0,
                "messagesProcessed": len(messages),
                "messagesAccepted": accepted,
                "messagesInvalid": invalid,
            },
        }
        if included:
            report["summary"]["itemSummary"] = {"items": len(items), "errors": 0, "warnings": 0}
            report["items"] = items
        self._store_report(feed, report)

    def _process_message(self, message: Any, seen: set[int]) -> tuple[list[dict], str | None]:
        """Validate and apply one message; returns (report issues, sku)."""

        def problem(text: str, code: str = "FAKE_INVALID_MESSAGE") -> list[dict]:
            return [{"code": code, "severity": "ERROR", "message": text}]

        if not isinstance(message, dict):
            return problem("A message must be an object."), None
        sku, message_id, op = message.get("sku"), message.get("messageId"), message.get("operationType")
        if not isinstance(message_id, int) or message_id < 1 or message_id in seen:
            return problem("messageId must be a unique whole number of 1 or more."), sku if isinstance(
                sku, str
            ) else None
        seen.add(message_id)
        if not isinstance(sku, str) or not sku:
            return problem("sku is required."), None
        if op == "PATCH":
            patches = message.get("patches")
            if not message.get("productType") or not isinstance(patches, list) or not patches:
                return problem("PATCH messages need productType and patches."), sku
            triples = [(p.get("op"), p.get("path"), p.get("value")) for p in patches if isinstance(p, dict)]
        elif op in ("PARTIAL_UPDATE", "UPDATE"):
            attributes = message.get("attributes")
            if not message.get("productType") or not isinstance(attributes, dict) or not attributes:
                return problem(f"{op} messages need productType and attributes."), sku
            triples = [("replace", f"/attributes/{k}", v) for k, v in attributes.items()]
        elif op == "DELETE":
            if self.state.listings.pop(sku, None) is None:
                return problem(f"SKU '{sku}' has no listing.", "FAKE_SKU_NOT_FOUND"), sku
            return [], sku
        else:
            return problem(f"Unknown operationType {op!r}."), sku
        listing = self.state.listings.get(sku)
        found, change = plan_update(listing, sku=sku, attributes_patches=triples)
        if found:
            return [
                {
                    "code": f["code"],
                    "severity": f["severity"],
                    "message": f["message"],
                    **({"attributeName": f["attributeNames"][0]} if f.get("attributeNames") else {}),
                }
                for f in found
            ], sku
        if change is not None and listing is not None:
            apply_change(self.state, listing, change, source="JSON_LISTINGS_FEED")
        return [], sku

    def cancel(self, feed_id: str) -> bool:
        """cancelFeed: only IN_QUEUE feeds can be cancelled."""
        feed = self.feeds[feed_id]
        if feed.status != "IN_QUEUE":
            return False
        feed.status = "CANCELLED"
        return True
