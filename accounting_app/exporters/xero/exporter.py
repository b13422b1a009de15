"""The Xero exporter: the :class:`~accounting_app.exporters.base.AccountingExporter` hooks on
Xero's protocol (see ``client`` and ``oauth`` for the documented facts)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

import requests

from accounting_app.exporters.base import AccountingExporter
from accounting_app.exporters.dto import (
    ContactRef,
    Document,
    JournalDocument,
    PostResult,
    SalesDocument,
    Tenant,
    TokenSet,
)
from accounting_app.exporters.endpoints import (
    EndpointRefused,
    HostRefused,
    HostUnresolved,
    VendorConfinedHttp,
)
from accounting_app.exporters.errors import AuthorizationError, ExporterError, RetryableError
from accounting_app.exporters.registry import exporter_register
from accounting_app.exporters.xero import mapping, oauth
from accounting_app.exporters.xero.client import XeroClient


@exporter_register
class XeroExporter(AccountingExporter):
    """Posts sales invoices, bills (ACCPAY invoices) and manual journals to one Xero tenant."""

    kind = "xero"
    label = "Xero"
    sales_kinds = ("sales_invoice",)
    reference_max_length = 21
    oauth_authorize_url = staticmethod(oauth.authorize_url)
    oauth_authorize_base = oauth.AUTHORIZE_URL
    oauth_token_url = oauth.TOKEN_URL
    api_root_default = oauth.API_ROOT
    refresh_token_lifetime = timedelta(days=60)  # unused refresh tokens expire after 60 days
    api_hosts = oauth.API_HOSTS

    def _client(self) -> XeroClient:
        if self.tokens is None or not self.config.tenant_id:
            raise ExporterError("The Xero connection has no tokens or tenant yet")
        return XeroClient(api_root=self.api_root, tenant_id=self.config.tenant_id, tokens=self.tokens)

    # --- OAuth (the flow is the base class's) ------------------------------------------------

    def tenant_discover(self, *, tokens: TokenSet, callback: Mapping[str, str]) -> Tenant:
        """The organisation among ``GET /connections`` (the newest ORGANISATION connection)."""
        url = self.api_root.rstrip("/") + "/connections"
        http = VendorConfinedHttp(base_url=url, read_timeout=20.0, secrets=(tokens.access_token,))
        try:
            response = http.send(
                "GET",
                url,
                headers={"Authorization": f"Bearer {tokens.access_token}", "Accept": "application/json"},
            )
        except HostUnresolved:
            raise RetryableError("Xero connections: the host does not resolve") from None
        except HostRefused as exc:
            raise EndpointRefused(f"Xero connections: {exc}") from None
        except (requests.Timeout, requests.ConnectionError):
            raise RetryableError("Xero connections: timed out or connection failed") from None
        if response.status_code == 401:
            raise AuthorizationError("Xero connections: HTTP 401", status=401)
        if response.status_code != 200:
            raise ExporterError(f"Xero connections: HTTP {response.status_code}", status=response.status_code)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, list):
            raise ExporterError("Xero connections: the answer is not a list of connections")
        tenants = [
            c
            for c in answer
            if isinstance(c, dict)
            and c.get("tenantType") == "ORGANISATION"
            and isinstance(c.get("tenantId"), str)
            and c["tenantId"]
        ]
        if not tenants:
            raise ExporterError("Xero: the user authorised no organisation")
        tenants.sort(key=lambda c: str(c.get("updatedDateUtc") or c.get("createdDateUtc") or ""))
        chosen = tenants[-1]
        return Tenant(tenant_id=chosen["tenantId"], name=str(chosen.get("tenantName") or ""))

    # --- posting -------------------------------------------------------------------------------

    @property
    def with_items(self) -> bool:
        """Whether sales lines carry SKU codes as Xero Items."""
        return bool(self.config.options.get("use_item_codes"))

    def document_payload(self, *, document: Document, contact_id: str = "") -> dict:
        """ManualJournals body for journals, Invoices body (ACCREC/ACCPAY) otherwise."""
        if isinstance(document, JournalDocument):
            return mapping.journal_body(document)
        if document.kind == "bill_credit":
            return mapping.credit_note_body(document, contact_id=contact_id)
        return mapping.invoice_body(document, contact_id=contact_id, with_items=self.with_items)

    def items_ensure(self, *, document: SalesDocument) -> None:
        """Create the untracked Items the sales lines name, once (looked up by Code first)."""
        client = self._client()
        known = getattr(self, "_known_items", set())
        names = {line.sku_code: line.description for line in document.lines}
        for code, account in mapping.item_codes(document).items():
            if code in known:
                continue
            answer = client.get("Items", params={"where": mapping.where_equals("Code", code[:30])})
            if not mapping.first_id(answer, "Items", "ItemID"):
                key = "item-" + hashlib.sha256(f"{self.config.connection_id}:{code}".encode()).hexdigest()
                client.create(
                    "Items",
                    body=mapping.item_body(code, name=names[code], account=account),
                    idempotency_key=key,
                )
            known.add(code)
        self._known_items = known

    def document_find(self, *, document: Document) -> PostResult | None:
        """Journals by Narration, bills by InvoiceNumber, credits by CreditNoteNumber, sales by Reference."""
        client = self._client()
        if isinstance(document, JournalDocument):
            where = mapping.where_equals("Narration", mapping.journal_narration(document))
            answer = client.get("ManualJournals", params={"where": where})
            found = mapping.first_id(answer, "ManualJournals", "ManualJournalID")
        elif document.kind == "bill_credit":
            where = mapping.where_equals("CreditNoteNumber", document.reference) + ' AND Type=="ACCPAYCREDIT"'
            answer = client.get("CreditNotes", params={"where": where})
            found = mapping.first_id(answer, "CreditNotes", "CreditNoteID")
        elif document.kind == "bill":
            answer = client.get(
                "Invoices", params={"InvoiceNumbers": document.reference, "where": 'Type=="ACCPAY"'}
            )
            found = mapping.first_id(answer, "Invoices", "InvoiceID")
        else:
            where = mapping.where_equals("Reference", document.reference) + ' AND Type=="ACCREC"'
            answer = client.get("Invoices", params={"where": where})
            found = mapping.first_id(answer, "Invoices", "InvoiceID")
        return PostResult(external_id=found, response=answer) if found else None

    def contact_find_or_create(self, *, contact: ContactRef) -> str:
        """Contact by e-mail (per-customer mode) or name, else PUT /Contacts."""
        client = self._client()
        if contact.email and not contact.key.startswith(("channel:", "supplier:")):
            where = mapping.where_equals("EmailAddress", contact.email)
        else:
            where = mapping.where_equals("Name", contact.name)
        found = mapping.first_id(client.get("Contacts", params={"where": where}), "Contacts", "ContactID")
        if found:
            return found
        key = "contact-" + hashlib.sha256(f"{self.config.connection_id}:{contact.key}".encode()).hexdigest()
        answer = client.create("Contacts", body=mapping.contact_body(contact), idempotency_key=key)
        created = mapping.first_id(answer, "Contacts", "ContactID")
        if not created:
            raise ExporterError("Xero: the contact answer carries no ContactID", body=answer)
        return created

    def document_create(self, *, document: Document, contact_id: str, idempotency_key: str) -> PostResult:
        """PUT /ManualJournals or /Invoices with the Idempotency-Key."""
        client = self._client()
        body = self.document_payload(document=document, contact_id=contact_id)
        if isinstance(document, JournalDocument):
            answer = client.create("ManualJournals", body=body, idempotency_key=idempotency_key)
            found = mapping.first_id(answer, "ManualJournals", "ManualJournalID")
        else:
            assert isinstance(document, SalesDocument)
            if document.kind == "bill_credit":
                answer = client.create("CreditNotes", body=body, idempotency_key=idempotency_key)
                found = mapping.first_id(answer, "CreditNotes", "CreditNoteID")
                if not found:
                    raise ExporterError("Xero: the answer carries no id", body=answer)
                return PostResult(external_id=found, response=answer)
            if self.with_items and document.kind != "bill":
                self.items_ensure(document=document)
            answer = client.create("Invoices", body=body, idempotency_key=idempotency_key)
            found = mapping.first_id(answer, "Invoices", "InvoiceID")
        if not found:
            raise ExporterError("Xero: the answer carries no id", body=answer)
        return PostResult(external_id=found, response=answer)

    def document_total(self, *, kind: str, external_id: str) -> Decimal:
        """GET the invoice, credit note or manual journal by its id: ``Total`` (journals: debits)."""
        collection = {"cogs_journal": "ManualJournals", "adjustment_journal": "ManualJournals"}.get(
            kind, "CreditNotes" if kind == "bill_credit" else "Invoices"
        )
        answer = self._client().get(f"{collection}/{external_id}", params={})
        total = mapping.document_total(answer, collection)
        if total is None:
            raise ExporterError(f"Xero: {collection}/{external_id} read back carries no total", body=answer)
        return total
