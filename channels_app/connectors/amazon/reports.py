"""The seller's listings: searchListingsItems pages, then the All Listings Report past 1,000.

searchListingsItems pages through at most 1,000 SKUs ("The maximum number of items (SKUs) that
can be returned and paged through is 1000", ``numberOfResults`` in listingsItems_2021-08-01.json).
When its pages run out with ``numberOfResults`` at 1,000 or more, the rest can only come from the
Reports API 2021-06-30: createReport (reportType GET_MERCHANT_LISTINGS_ALL_DATA, marketplaceIds)
-> getReport until ``processingStatus`` is DONE (IN_QUEUE, IN_PROGRESS; FATAL / CANCELLED end it)
-> getReportDocument(reportDocumentId) -> GET the presigned URL (gzip when
``compressionAlgorithm`` is GZIP) -> a tab-separated file of every listing
(``mapping.listings_from_report``).

The engine's import calls ``listings_fetch(cursor=...)`` until the cursor is None, so the report
travels in the cursor: ``report:<reportId>:<deadline>`` (deadline in Unix seconds). One call with
that cursor checks the report (getReport, through the connector's usage-plan throttle: 2/s, burst
15) every ``poll_seconds`` for at most ``wait_seconds``; still processing, it returns an empty page
with the same cursor, so the import calls again; DONE, it returns every listing of the report at
once and the cursor None. Listings already read from the search pages come again (the import is
idempotent on the SKU). Past the deadline (``timeout_seconds`` after createReport), or when the
report ends FATAL or CANCELLED, it raises ConnectorError.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from channels_app.connectors.amazon.client import SpApiClient
from channels_app.connectors.amazon.mapping import listing_from_amazon, listings_from_report
from channels_app.connectors.dto import ListingPage
from channels_app.connectors.errors import ConnectorError

LISTINGS_PAGE_SIZE = 20  # searchListingsItems pageSize maximum
SEARCH_LIMIT = 1000  # SKUs searchListingsItems can page through
REPORT_TYPE = "GET_MERCHANT_LISTINGS_ALL_DATA"
REPORT_CURSOR = "report:"
WORKING_STATUSES = ("IN_QUEUE", "IN_PROGRESS")


def report_cursor_parse(cursor: str) -> tuple[str, float]:
    """(reportId, deadline) of a ``report:<reportId>:<deadline>`` cursor."""
    report_id, _, deadline = cursor[len(REPORT_CURSOR) :].rpartition(":")
    try:
        return report_id, float(deadline)
    except ValueError:
        raise ConnectorError(f"Not a listings report cursor: {cursor!r}") from None


class ListingsReader:
    """``listings_fetch`` of the Amazon connector: search pages, then the listings report.

    ``wait_seconds``: how long one call may wait for the report (0: one getReport per call);
    ``poll_seconds``: the pause between two getReport calls; ``timeout_seconds``: how long after
    createReport the report may take in all.
    """

    def __init__(
        self,
        *,
        client: SpApiClient,
        seller_id: str,
        marketplace_ids: Sequence[str],
        wait_seconds: float = 30.0,
        poll_seconds: float = 5.0,
        timeout_seconds: float = 3600.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.seller_id = seller_id
        self.marketplace_ids = list(marketplace_ids)
        self.wait_seconds = max(wait_seconds, 0.0)
        self.poll_seconds = max(poll_seconds, 0.5)  # getReport: 2 requests a second
        self.timeout_seconds = timeout_seconds
        self._sleep = sleep
        self._clock = clock

    def fetch(self, *, cursor: str | None) -> ListingPage:
        """One page of listings: a search page, or (cursor ``report:...``) the report's listings
        once it is DONE (an empty page with the same cursor while it is processing)."""
        if cursor and cursor.startswith(REPORT_CURSOR):
            return self._report_page(cursor)
        return self._search_page(cursor)

    def _search_page(self, cursor: str | None) -> ListingPage:
        params: list[tuple[str, Any]] = [
            ("marketplaceIds", self.marketplace_ids[0]),
            ("includedData", "summaries,fulfillmentAvailability"),
            ("pageSize", LISTINGS_PAGE_SIZE),
        ]
        if cursor:
            params.append(("pageToken", cursor))
        data = self.client.call_json(
            "searchListingsItems",
            "GET",
            f"listings/2021-08-01/items/{quote(self.seller_id, safe='')}",
            params=params,
        )
        if not isinstance(data, Mapping):
            raise ConnectorError("searchListingsItems answered without a body")
        listings = [
            listing_from_amazon(item, marketplace_id=self.marketplace_ids[0])
            for item in data.get("items") or []
            if isinstance(item, Mapping)
        ]
        pagination = data.get("pagination") if isinstance(data.get("pagination"), Mapping) else {}
        next_cursor = pagination.get("nextToken") or None
        total = data.get("numberOfResults")
        if next_cursor is None and isinstance(total, int) and total >= SEARCH_LIMIT:
            next_cursor = self._report_request()
        return ListingPage(listings=listings, next_cursor=next_cursor)

    def _report_request(self) -> str:
        """createReport of the All Listings Report; its cursor."""
        data = self.client.call_json(
            "createReport",
            "POST",
            "reports/2021-06-30/reports",
            json={"reportType": REPORT_TYPE, "marketplaceIds": self.marketplace_ids[:1]},
        )
        report_id = data.get("reportId") if isinstance(data, Mapping) else None
        if not report_id:
            raise ConnectorError("createReport answered without a reportId")
        return f"{REPORT_CURSOR}{report_id}:{int(self._clock() + self.timeout_seconds)}"

    def _report_page(self, cursor: str) -> ListingPage:
        report_id, deadline = report_cursor_parse(cursor)
        give_up = self._clock() + self.wait_seconds
        while True:
            report = self.client.call_json(
                "getReport", "GET", f"reports/2021-06-30/reports/{quote(report_id, safe='')}"
            )
            status = report.get("processingStatus") if isinstance(report, Mapping) else None
            if status == "DONE":
                document_id = report.get("reportDocumentId")
                if not document_id:
                    raise ConnectorError(f"Listings report {report_id} is DONE without reportDocumentId")
                return ListingPage(listings=listings_from_report(self._document(str(document_id))))
            if status not in WORKING_STATUSES:
                raise ConnectorError(
                    f"Amazon's listings report {report_id} ({REPORT_TYPE}) ended {status}: "
                    f"the listings beyond the first {SEARCH_LIMIT} were not imported; import again"
                )
            now = self._clock()
            if now >= deadline:
                raise ConnectorError(
                    f"Amazon's listings report {report_id} is still {status} after "
                    f"{self.timeout_seconds:.0f} s: the listings beyond the first {SEARCH_LIMIT} "
                    "were not imported; import again"
                )
            if now + self.poll_seconds > give_up:
                return ListingPage(listings=[], next_cursor=cursor)
            self._sleep(self.poll_seconds)

    def _document(self, document_id: str) -> bytes:
        """The report document's bytes (getReportDocument, presigned URL, gunzipped)."""
        return self.client.document_read(
            operation="getReportDocument", path=f"reports/2021-06-30/documents/{quote(document_id, safe='')}"
        )
