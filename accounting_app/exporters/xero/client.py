"""Raw HTTP to the Xero Accounting API (``/api.xro/2.0``) for one tenant. No mapping here.

Facts (developer.xero.com; XeroAPI/Xero-OpenAPI xero_accounting.yaml v16.1.0):
* every call carries ``xero-tenant-id`` (parameter ``requiredHeader``) and the bearer token;
* PUT creates (never updates); ``Idempotency-Key`` (max 128 characters) lets a create be sent
  again without a duplicate; ``summarizeErrors=true`` answers 400 for any invalid element;
* GET Invoices takes ``where`` and ``InvoiceNumbers``; GET ManualJournals and Contacts ``where``;
* errors: 400 ``{"ErrorNumber": 10, "Type": "ValidationException", "Message": ..., "Elements":
  [{..., "ValidationErrors": [{"Message": ...}]}]}``; 401/403 problem bodies (``Title``,
  ``Detail``); 429 with ``Retry-After`` and ``X-Rate-Limit-Problem`` (minute, daily, concurrent,
  appminute); limits per tenant: 60 calls a minute, 5 in flight, 5000 a day
  (developer.xero.com/faq/limits).
"""

from __future__ import annotations

from typing import Any

import requests

from accounting_app.exporters.base import TokenProvider
from accounting_app.exporters.errors import ExporterError, ValidationRejected
from accounting_app.exporters.http import VendorHttp, json_or_empty

ACCOUNTING_PATH = "/api.xro/2.0"


def validation_messages(body: dict) -> list[str]:
    """Every ValidationErrors message of a Xero ValidationException body."""
    messages = []
    for element in body.get("Elements") or []:
        for error in element.get("ValidationErrors") or []:
            if error.get("Message"):
                messages.append(error["Message"])
    return messages


def xero_error_raise(response: requests.Response) -> None:
    """Turn a Xero 4xx answer into ValidationRejected / ExporterError."""
    body = json_or_empty(response)
    if response.status_code == 400 and body.get("Type") == "ValidationException":
        messages = validation_messages(body) or [body.get("Message", "validation error")]
        raise ValidationRejected("Xero: " + "; ".join(messages), body=body, status=400)
    detail = body.get("Detail") or body.get("Message") or body.get("Title") or response.reason
    raise ExporterError(
        f"Xero: HTTP {response.status_code}: {detail}", body=body, status=response.status_code
    )


class XeroClient:
    """Calls of the Accounting API for one tenant; answers are the decoded JSON bodies."""

    def __init__(self, *, api_root: str, tenant_id: str, tokens: TokenProvider, **http_options: Any):
        self.http = VendorHttp(
            base_url=api_root.rstrip("/") + ACCOUNTING_PATH,
            tokens=tokens,
            error_raiser=xero_error_raise,
            default_headers={"xero-tenant-id": tenant_id},
            **http_options,
        )

    def get(self, resource: str, *, params: dict[str, str]) -> dict:
        """GET /<resource> with query parameters."""
        return json_or_empty(self.http.request("GET", resource, params=params))

    def create(self, resource: str, *, body: dict, idempotency_key: str) -> dict:
        """PUT /<resource> (create only) with an Idempotency-Key; 400 on any invalid element."""
        if len(idempotency_key) > 128:
            raise ExporterError("Xero idempotency keys are at most 128 characters")
        response = self.http.request(
            "PUT",
            resource,
            params={"summarizeErrors": "true"},
            json=body,
            headers={"Idempotency-Key": idempotency_key},
        )
        return json_or_empty(response)
