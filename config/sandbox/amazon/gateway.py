"""Request dispatch of the fake: LWA, SP-API gateway checks (token, usage plan, faults), routes."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

from . import orders
from .feeds_api import feeds_operation
from .listings import INCLUDED_DATA, bad_request, listing_item_json, patch_listings_item
from .reports import reports_operation
from .search import search_listings_items

if TYPE_CHECKING:
    from .state import AmazonState

DENIED = "Access to requested resource is denied."
# `details` of the 403 Unauthorized body per token problem, as SP-API client libraries match them.
TOKEN_DETAILS = {
    "missing": "Access token is missing in the request header.",
    "unknown": "The access token you provided is revoked, malformed or invalid.",
    "expired": "The access token you provided has expired.",
}
QUOTA_EXCEEDED = {
    "errors": [
        {
            "code": "QuotaExceeded",
            "message": "You exceeded your quota for the requested resource.",
            "details": "",
        }
    ]
}
FAULT_BODIES = {
    429: QUOTA_EXCEEDED,
    500: {
        "errors": [
            {
                "code": "InternalFailure",
                "message": "We encountered an internal error. Please try again.",
                "details": "",
            }
        ]
    },
    503: {
        "errors": [
            {
                "code": "ServiceUnavailable",
                "message": "Service temporarily unavailable. Please try again.",
                "details": "",
            }
        ]
    },
}


@dataclass
class Response:
    """What the HTTP layer writes back."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    """A JSON response (an empty body for None, as the 204 of confirmShipment)."""
    out = {"Content-Type": "application/json"} if body is not None else {}
    out.update(headers or {})
    return Response(status, b"" if body is None else json.dumps(body).encode(), out)


@dataclass
class Fault:
    """One injected fault: an error status and/or a delay, for `times` requests of `operation`."""

    operation: str
    status: int | None
    delay: float
    times: int


class Faults:
    """Fault injection: `fail(...)` for 429/500/503 answers, `slow(...)` for late answers, and
    `latency` (seconds, 0 = none) added to every SP-API request while it is set, as the Shopify
    fake's `faults.latency` (the rush turns it on and off for windows of slow answers)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.latency = 0.0

    def fail(self, operation: str = "*", *, status: int = 500, times: int = 1, delay: float = 0.0) -> None:
        """The next `times` requests of `operation` ("*" = any) answer `status` (429, 500 or 503)."""
        if status not in FAULT_BODIES:
            raise ValueError(f"status must be one of {sorted(FAULT_BODIES)}")
        with self._lock:
            self._faults.append(Fault(operation, status, delay, times))

    def slow(self, operation: str = "*", *, seconds: float, times: int = 1) -> None:
        """The next `times` requests of `operation` are answered after `seconds` of real time."""
        with self._lock:
            self._faults.append(Fault(operation, None, seconds, times))

    def clear(self) -> int:
        """Drop every pending fault; return how many requests they would still have failed."""
        with self._lock:
            dropped = sum(fault.times for fault in self._faults)
            self._faults.clear()
            return dropped

    def take(self, operation: str) -> Fault | None:
        """The fault that applies to this request, if any (consumes one of its `times`)."""
        with self._lock:
            for fault in self._faults:
                if fault.operation in ("*", operation) and fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault
        return None


@dataclass
class Stats:
    """Counters per operation: requests received, throttled (429 from the usage plan), answered."""

    requests: Counter = field(default_factory=Counter)
    throttled: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, counter: str, key: Any) -> None:
        """Add one to `counter`[key] (thread-safe: the server answers requests in parallel)."""
        with self.lock:
            getattr(self, counter)[key] += 1


SP_ROUTES: list[tuple[str, re.Pattern, str]] = [
    ("GET", re.compile(r"^/orders/v0/orders$"), "getOrders"),
    ("GET", re.compile(r"^/orders/v0/orders/(?P<order_id>[^/]+)$"), "getOrder"),
    ("GET", re.compile(r"^/orders/v0/orders/(?P<order_id>[^/]+)/orderItems$"), "getOrderItems"),
    ("POST", re.compile(r"^/orders/v0/orders/(?P<order_id>[^/]+)/shipmentConfirmation$"), "confirmShipment"),
    ("GET", re.compile(r"^/listings/2021-08-01/items/(?P<seller_id>[^/]+)$"), "searchListingsItems"),
    (
        "GET",
        re.compile(r"^/listings/2021-08-01/items/(?P<seller_id>[^/]+)/(?P<sku>[^/]+)$"),
        "getListingsItem",
    ),
    (
        "PATCH",
        re.compile(r"^/listings/2021-08-01/items/(?P<seller_id>[^/]+)/(?P<sku>[^/]+)$"),
        "patchListingsItem",
    ),
    ("POST", re.compile(r"^/feeds/2021-06-30/documents$"), "createFeedDocument"),
    ("GET", re.compile(r"^/feeds/2021-06-30/documents/(?P<doc_id>[^/]+)$"), "getFeedDocument"),
    ("POST", re.compile(r"^/feeds/2021-06-30/feeds$"), "createFeed"),
    ("GET", re.compile(r"^/feeds/2021-06-30/feeds/(?P<feed_id>[^/]+)$"), "getFeed"),
    ("DELETE", re.compile(r"^/feeds/2021-06-30/feeds/(?P<feed_id>[^/]+)$"), "cancelFeed"),
    ("POST", re.compile(r"^/reports/2021-06-30/reports$"), "createReport"),
    ("GET", re.compile(r"^/reports/2021-06-30/reports/(?P<report_id>[^/]+)$"), "getReport"),
    ("GET", re.compile(r"^/reports/2021-06-30/documents/(?P<doc_id>[^/]+)$"), "getReportDocument"),
]


def match_route(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """(operationId, path parameters) of an SP-API request, or None."""
    for route_method, pattern, operation in SP_ROUTES:
        found = pattern.match(path)
        if found and route_method == method:
            # Path parameters (a SKU especially) arrive percent-encoded.
            return operation, {k: unquote(v) for k, v in found.groupdict().items()}
    return None


def lwa_token(state: AmazonState, form: dict[str, list[str]]) -> Response:
    """POST /auth/o2/token, grant_type=refresh_token (Login with Amazon)."""

    def value(name: str) -> str | None:
        found = form.get(name)
        return found[0] if found else None

    def error(status: int, code: str, description: str) -> Response:
        return json_response(status, {"error_description": description, "error": code})

    grant = value("grant_type")
    if grant is None or value("client_id") is None:
        return error(400, "invalid_request", "The request is missing a required parameter : grant_type")
    if grant != "refresh_token":
        return error(400, "unsupported_grant_type", "The authorization grant type is not supported")
    config = state.config
    if value("client_id") != config.client_id or value("client_secret") != config.client_secret:
        return error(401, "invalid_client", "Client authentication failed")
    if value("refresh_token") != config.refresh_token:
        return error(
            400,
            "invalid_grant",
            "The request has an invalid grant parameter : refresh_token. "
            "User may have revoked or didn't grant the permission.",
        )
    return json_response(
        200,
        {
            "access_token": state.issue_access_token(),
            "refresh_token": config.refresh_token,
            "token_type": "bearer",
            "expires_in": config.access_token_ttl,
        },
        {"Cache-Control": "no-cache, no-store"},
    )


def _lwa_form(headers: Any, raw: bytes) -> dict[str, list[str]]:
    """The token request's parameters: form-encoded as documented, or a JSON object."""
    if "json" in (headers.get("Content-Type") or ""):
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return {}
        return {str(k): [str(v)] for k, v in data.items()} if isinstance(data, dict) else {}
    return parse_qs(raw.decode("utf-8", "replace"))


def _body_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8")) if raw else None
    except (ValueError, UnicodeDecodeError):
        return ValueError


def sp_api(
    state: AmazonState, operation: str, params: dict[str, str], query: dict[str, list[str]], raw: bytes
) -> tuple[int, Any]:
    """Run one SP-API operation that passed the gateway checks."""
    body = _body_json(raw)
    if body is ValueError:
        return 400, {
            "errors": [{"code": "InvalidInput", "message": "Request body is not valid JSON.", "details": ""}]
        }
    if operation == "getOrders":
        return orders.get_orders(state, query)
    if operation == "getOrder":
        return orders.get_order(state, params["order_id"])
    if operation == "getOrderItems":
        return orders.get_order_items(state, params["order_id"], query)
    if operation == "confirmShipment":
        return orders.confirm_shipment(state, params["order_id"], body)
    if operation in ("getListingsItem", "patchListingsItem", "searchListingsItems"):
        return _listings(state, operation, params, query, body)
    if operation in ("createReport", "getReport", "getReportDocument"):
        return reports_operation(state, operation, params, body)
    return feeds_operation(state, operation, params, body)


def _listings(
    state: AmazonState, operation: str, params: dict[str, str], query: dict[str, list[str]], body: Any
) -> tuple[int, Any]:
    if params["seller_id"] != state.config.seller_id:
        return 403, {"errors": [{"code": "Unauthorized", "message": DENIED, "details": ""}]}
    marketplaces = [m for raw in query.get("marketplaceIds", []) for m in raw.split(",") if m]
    if not marketplaces:
        return 400, bad_request("marketplaceIds is required.")
    if any(m not in state.config.marketplace_ids for m in marketplaces):
        return 400, bad_request("marketplaceIds contains a marketplace the seller does not sell in.")
    if operation == "searchListingsItems":
        return search_listings_items(state, marketplaces, query)
    sku = params["sku"]
    if operation == "patchListingsItem":
        mode = (query.get("mode") or [None])[0]
        if mode not in (None, "VALIDATION_PREVIEW"):
            return 400, bad_request("mode must be VALIDATION_PREVIEW.")
        return patch_listings_item(state, sku=sku, body=body, validation_only=mode == "VALIDATION_PREVIEW")
    included = {d for raw in query.get("includedData", ["summaries"]) for d in raw.split(",") if d}
    if not included <= set(INCLUDED_DATA):
        return 400, bad_request(f"includedData must be among {', '.join(INCLUDED_DATA)}.")
    listing = state.listing(sku)
    if listing is None:
        message = f"SKU '{sku}' not found in marketplace {marketplaces[0]}"
        return 404, {"errors": [{"code": "NOT_FOUND", "message": message}]}
    with state.lock:
        return 200, listing_item_json(listing, included=included, marketplace_ids=marketplaces)


def handle(fake: Any, method: str, path: str, query_string: str, headers: Any, raw: bytes) -> Response:
    """Entry point of every request of the fake."""
    state: AmazonState = fake.state
    query = parse_qs(query_string, keep_blank_values=True)
    if path == "/auth/o2/token" and method == "POST":
        fake.stats.count("requests", "lwa:token")
        form = _lwa_form(headers, raw)
        fake.log_request(operation="lwa:token", method=method, path=path, query=form, raw=b"")
        return lwa_token(state, form)
    if path.startswith(("/feed-documents/", "/report-documents/")):
        return _document_url(state, method, path, query, headers, raw)
    if path.startswith("/_fake/"):
        from .control import control

        return control(fake, method, path, raw)
    request_id = str(uuid.uuid4())
    route = match_route(method, path)
    if route is None:
        return json_response(
            403,
            {"errors": [{"code": "Unauthorized", "message": DENIED, "details": ""}]},
            {"x-amzn-RequestId": request_id},
        )
    operation, params = route
    if "%2f" in path.lower():
        # Amazon answers an encoded slash in a path parameter (a SKU with "/") with 403 Unauthorized.
        return json_response(
            403,
            {"errors": [{"code": "Unauthorized", "message": DENIED, "details": ""}]},
            {"x-amzn-RequestId": request_id},
        )
    fake.stats.count("requests", operation)
    fake.log_request(operation=operation, method=method, path=path, query=query, raw=raw)
    if fake.faults.latency:
        time.sleep(fake.faults.latency)
    fault = fake.faults.take(operation)
    if fault is not None and fault.delay:
        time.sleep(fault.delay)
    if fault is not None and fault.status:
        fake.stats.count("statuses", (operation, fault.status))
        return json_response(fault.status, FAULT_BODIES[fault.status], {"x-amzn-RequestId": request_id})
    status_of_token = state.token_status(headers.get("x-amz-access-token"))
    if status_of_token != "live":
        fake.stats.count("statuses", (operation, 403))
        body = {
            "errors": [{"code": "Unauthorized", "message": DENIED, "details": TOKEN_DETAILS[status_of_token]}]
        }
        return json_response(403, body, {"x-amzn-RequestId": request_id})
    plan = state.rate_limiter.plans[operation]
    if not state.rate_limiter.take(operation):
        fake.stats.count("throttled", operation)
        fake.stats.count("statuses", (operation, 429))
        return json_response(429, QUOTA_EXCEEDED, {"x-amzn-RequestId": request_id})
    status, body = sp_api(state, operation, params, query, raw)
    fake.stats.count("statuses", (operation, status))
    return json_response(
        status, body, {"x-amzn-RequestId": request_id, "x-amzn-RateLimit-Limit": plan.header}
    )


def _document_url(
    state: AmazonState, method: str, path: str, query: dict[str, list[str]], headers: Any, raw: bytes
) -> Response:
    flat = {k: v[-1] for k, v in query.items()}
    parts = path.split("/")
    if len(parts) != 4:
        return Response(404, b"", {})
    kind, doc_id = parts[2], parts[3]
    if kind == "upload" and method == "PUT" and parts[1] == "feed-documents":
        status, body = state.feeds.upload(
            doc_id, content_type=headers.get("Content-Type", ""), body=raw, query=flat
        )
        return Response(status, body, {"Content-Type": "application/xml"} if body else {})
    if kind == "download" and method == "GET":
        store = state.reports if parts[1] == "report-documents" else state.feeds
        status, body, content_type = store.download(doc_id, flat)
        return Response(status, body, {"Content-Type": content_type})
    return Response(405, b"", {})
