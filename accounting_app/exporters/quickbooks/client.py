"""Raw HTTP to the QuickBooks Online Accounting API v3 for one company (realm).

Facts (developer.intuit.com API reference and guides; Intuit developer blog 2015-04-06
"Request ID update" and 2016-08-08 throttling; intuit/QuickBooks-V3-Java-SDK XSDs):
* resources under ``/v3/company/{realmId}/``: ``salesreceipt``, ``invoice``, ``journalentry``,
  ``bill``, ``customer``, ``vendor`` (POST creates, ``GET <entity>/<id>`` reads one) and
  ``query?query=<SQL-like select>``;
* ``minorversion`` query parameter on every call (versions below 75 are no longer honoured);
* ``requestid`` query parameter (max 50 characters, unique per company): the same requestid
  again returns the first answer instead of repeating the operation;
* errors: ``{"Fault": {"Error": [{"Message", "Detail", "code", "element"}], "type":
  "ValidationFault"}, "time": ...}``; 401 AuthenticationFailed (code 3200);
* throttling: 500 requests a minute and 10 concurrent per realm and app -> HTTP 429
  (ThrottleExceeded, code 3001).
"""

from __future__ import annotations

from typing import Any

import requests

from accounting_app.exporters.base import TokenProvider
from accounting_app.exporters.errors import ExporterError, ValidationRejected
from accounting_app.exporters.http import VendorHttp, json_or_empty

MINOR_VERSION = "75"


def fault_errors(body: dict) -> list[dict]:
    """The Error list of a Fault body (either capitalisation Intuit uses)."""
    fault = body.get("Fault") or body.get("fault") or {}
    return fault.get("Error") or fault.get("error") or []


def fault_message(body: dict) -> str:
    """'code Message: Detail' of every error of a Fault body."""
    parts = []
    for error in fault_errors(body):
        message = error.get("Message") or error.get("message") or ""
        detail = error.get("Detail") or error.get("detail") or ""
        parts.append(f"{error.get('code', '')} {message}: {detail}".strip())
    return "; ".join(parts)


def qbo_error_raise(response: requests.Response) -> None:
    """Turn a QuickBooks 4xx answer into ValidationRejected / ExporterError."""
    body = json_or_empty(response)
    fault = body.get("Fault") or body.get("fault") or {}
    message = "QuickBooks: " + (fault_message(body) or f"HTTP {response.status_code}")
    if response.status_code == 400 and fault.get("type") == "ValidationFault":
        raise ValidationRejected(message, body=body, status=400)
    raise ExporterError(message, body=body, status=response.status_code)


def query_quote(value: str) -> str:
    """A string literal of the query language (single quotes escaped with a backslash)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class QuickBooksClient:
    """Calls for one realm; answers are the decoded JSON bodies."""

    def __init__(self, *, api_root: str, realm_id: str, tokens: TokenProvider, **http_options: Any):
        self.http = VendorHttp(
            base_url=f"{api_root.rstrip('/')}/v3/company/{realm_id}",
            tokens=tokens,
            error_raiser=qbo_error_raise,
            **http_options,
        )

    def query(self, statement: str) -> dict:
        """GET /query: the QueryResponse object ({} when nothing matched)."""
        response = self.http.request(
            "GET", "query", params={"query": statement, "minorversion": MINOR_VERSION}
        )
        return json_or_empty(response).get("QueryResponse") or {}

    def read(self, entity: str, entity_id: str) -> dict:
        """GET /<entity>/<id>: the entity's envelope."""
        response = self.http.request("GET", f"{entity}/{entity_id}", params={"minorversion": MINOR_VERSION})
        return json_or_empty(response)

    def create(self, entity: str, *, body: dict, request_id: str) -> dict:
        """POST /<entity>?requestid=...: the created entity's envelope."""
        if len(request_id) > 50:
            raise ExporterError("QuickBooks requestid values are at most 50 characters")
        response = self.http.request(
            "POST",
            entity,
            params={"requestid": request_id, "minorversion": MINOR_VERSION},
            json=body,
            headers={"Content-Type": "application/json"},
        )
        return json_or_empty(response)
