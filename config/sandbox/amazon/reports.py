"""Reports API 2021-06-30 with the GET_MERCHANT_LISTINGS_ALL_DATA report.

Flow (reports_2021-06-30 model, Amazon's "Retrieve a report" tutorial): createReport(reportType,
marketplaceIds) answers 202 ``{"reportId"}`` -> getReport shows ``processingStatus`` IN_QUEUE,
IN_PROGRESS, then DONE with ``reportDocumentId`` (or FATAL / CANCELLED) -> getReportDocument
answers ``{reportDocumentId, url, compressionAlgorithm?}`` -> GET the presigned URL.

The document is the "All Listings Report": tab-separated, one header row of Amazon's column names
(``item-name``, ``listing-id``, ``seller-sku``, ``price``, ``quantity``, ``asin1``,
``fulfillment-channel``, ``status``, ...), one row per listing of the seller, all of them (a report
has no 1,000 cap, unlike searchListingsItems). FBA rows have ``fulfillment-channel`` such as
AMAZON_NA and a blank ``quantity``; seller-fulfilled rows DEFAULT and their quantity.

The fake's own choices: report ids are numbers from 70001; the report takes
``report_queue_seconds`` queued and ``report_processing_seconds`` processing (fake clock); with
``report_fatal`` it ends FATAL (without document); ``report_document_gzip`` compresses the
document. The document is built when the report is DONE (a snapshot of that moment).
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .feeds import processing_json, processing_step, s3_error

if TYPE_CHECKING:
    from .state import AmazonState, Listing

SUPPORTED_REPORT_TYPES = ("GET_MERCHANT_LISTINGS_ALL_DATA",)
# Columns of the All Listings Report, in Amazon's order.
LISTINGS_COLUMNS = (
    "item-name", "item-description", "listing-id", "seller-sku", "price", "quantity", "open-date",
    "image-url", "item-is-marketplace", "product-id-type", "zshop-shipping-fee", "item-note",
    "item-condition", "zshop-category1", "zshop-browse-path", "zshop-storefront-feature", "asin1",
    "asin2", "asin3", "will-ship-internationally", "expedited-shipping", "zshop-boldface",
    "product-id", "bid-for-featured-placement", "add-delete", "pending-quantity",
    "fulfillment-channel", "merchant-shipping-group", "status",
)  # fmt: skip
CONTENT_TYPE = "text/tab-separated-values; charset=UTF-8"


@dataclass
class Report:
    """A requested report and its processing state."""

    report_id: str
    report_type: str
    marketplace_ids: list[str]
    created: datetime
    status: str = "IN_QUEUE"
    started: datetime | None = None
    ended: datetime | None = None
    document_id: str | None = None


@dataclass
class ReportDocument:
    """A generated report document (bytes as served, gzip-compressed or not)."""

    document_id: str
    content: bytes
    compression: str | None = None


def listing_row(listing: Listing) -> dict[str, str]:
    """One listing as a row of the All Listings Report (column -> text)."""
    digest = hashlib.sha256(listing.sku.encode()).hexdigest()
    buyable = listing.is_fba or (listing.quantity or 0) > 0
    row = dict.fromkeys(LISTINGS_COLUMNS, "")
    row.update({
        "item-name": listing.item_name,
        "listing-id": digest[:10].upper(),
        "seller-sku": listing.sku,
        "price": listing.price,
        "quantity": "" if listing.is_fba or listing.quantity is None else str(listing.quantity),
        "open-date": listing.created.strftime("%Y-%m-%d %H:%M:%S PST") if listing.created else "",
        "item-is-marketplace": "y",
        "product-id-type": "1",
        "item-condition": "11",
        "asin1": listing.asin,
        "product-id": listing.asin,
        "fulfillment-channel": listing.fulfillment_channel_code,
        "status": "Active" if buyable else "Inactive",
    })  # fmt: skip
    return row


def listings_tsv(listings: list[Listing]) -> bytes:
    """The All Listings Report of ``listings`` (UTF-8, header row first, CRLF-free)."""
    lines = ["\t".join(LISTINGS_COLUMNS)]
    for listing in listings:
        row = listing_row(listing)
        lines.append("\t".join(row[c].replace("\t", " ").replace("\n", " ") for c in LISTINGS_COLUMNS))
    return ("\n".join(lines) + "\n").encode("utf-8")


class ReportStore:
    """Reports and report documents of the fake seller account."""

    def __init__(self, state: AmazonState) -> None:
        self.state = state
        self.reports: dict[str, Report] = {}
        self.documents: dict[str, ReportDocument] = {}
        self._ids = itertools.count(70001)

    def create(self, *, report_type: str, marketplace_ids: list[str]) -> Report:
        """createReport (arguments already validated)."""
        report = Report(
            report_id=str(next(self._ids)),
            report_type=report_type,
            marketplace_ids=marketplace_ids,
            created=self.state.clock.now(),
        )
        self.reports[report.report_id] = report
        return report

    def tick(self, now: datetime) -> None:
        """Move reports through IN_QUEUE -> IN_PROGRESS -> DONE/FATAL as fake time passes."""
        config = self.state.config
        for report in self.reports.values():
            if processing_step(
                report,
                now,
                queue_seconds=config.report_queue_seconds,
                processing_seconds=config.report_processing_seconds,
            ):
                if config.report_fatal:
                    report.status = "FATAL"
                else:
                    self._finish(report)

    def _finish(self, report: Report) -> None:
        listings = sorted(self.state.listings.values(), key=lambda li: li.sku)
        content, compression = listings_tsv(listings), None
        if self.state.config.report_document_gzip:
            content, compression = gzip.compress(content), "GZIP"
        doc = ReportDocument(f"amzn1.spdoc.1.4.na.{uuid.uuid4()}.FAKE", content, compression)
        self.documents[doc.document_id] = doc
        report.document_id = doc.document_id
        report.status = "DONE"

    def cancel(self, report_id: str) -> bool:
        """cancelReport: only IN_QUEUE reports can be cancelled (used by tests)."""
        with self.state.lock:
            report = self.reports[report_id]
            if report.status != "IN_QUEUE":
                return False
            report.status = "CANCELLED"
            return True

    def download(self, doc_id: str, query: dict[str, str]) -> tuple[int, bytes, str]:
        """GET on a report document's presigned URL."""
        with self.state.lock:
            doc = self.documents.get(doc_id)
            if doc is None:
                return 404, s3_error("NoSuchKey", "The specified key does not exist."), "application/xml"
            problem = self.state.feeds.check_url(doc_id, "GET", query)
            if problem:
                return 403, problem, "application/xml"
            return 200, doc.content, CONTENT_TYPE


def report_json(report: Report) -> dict:
    """The Report object of getReport."""
    body: dict[str, Any] = {
        "reportId": report.report_id,
        "reportType": report.report_type,
        "marketplaceIds": report.marketplace_ids,
        **processing_json(report),
    }
    if report.document_id:
        body["reportDocumentId"] = report.document_id
    return body


def reports_operation(
    state: AmazonState, operation: str, params: dict[str, str], body: Any
) -> tuple[int, Any]:
    """createReport, getReport, getReportDocument."""

    def error(status: int, message: str) -> tuple[int, dict]:
        code = "InvalidInput" if status == 400 else "NotFound"
        return status, {"errors": [{"code": code, "message": message, "details": ""}]}

    store = state.reports
    with state.lock:
        state.tick()
        if operation == "createReport":
            if not isinstance(body, dict):
                return error(400, "Body must be a CreateReportSpecification.")
            if body.get("reportType") not in SUPPORTED_REPORT_TYPES:
                return error(400, f"reportType {body.get('reportType')!r} is not supported by this fake.")
            marketplaces = body.get("marketplaceIds")
            if (
                not isinstance(marketplaces, list)
                or not 1 <= len(marketplaces) <= 25
                or any(m not in state.config.marketplace_ids for m in marketplaces)
            ):
                return error(400, "marketplaceIds must list 1 to 25 of the seller's marketplaces.")
            report = store.create(report_type=body["reportType"], marketplace_ids=marketplaces)
            return 202, {"reportId": report.report_id}
        if operation == "getReport":
            report = store.reports.get(params["report_id"])
            if report is None:
                return error(404, f"Report {params['report_id']} was not found.")
            return 200, report_json(report)
        doc = store.documents.get(params["doc_id"])
        if doc is None:
            return error(404, f"Report document {params['doc_id']} was not found.")
        answer = {
            "reportDocumentId": doc.document_id,
            "url": state.feeds.presigned_url(doc.document_id, "GET", folder="report-documents"),
        }
        if doc.compression:
            answer["compressionAlgorithm"] = doc.compression
        return 200, answer
