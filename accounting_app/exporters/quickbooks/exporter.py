"""The QuickBooks Online exporter: the AccountingExporter hooks on Intuit's v3 protocol."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import Decimal

from accounting_app.exporters.base import AccountingExporter
from accounting_app.exporters.dto import ContactRef, Document, JournalDocument, PostResult, Tenant, TokenSet
from accounting_app.exporters.errors import ExporterError
from accounting_app.exporters.quickbooks import mapping, oauth
from accounting_app.exporters.quickbooks.client import QuickBooksClient
from accounting_app.exporters.registry import exporter_register


@exporter_register
class QuickBooksExporter(AccountingExporter):
    """Posts sales receipts or invoices, bills and journal entries to one QuickBooks company."""

    kind = "quickbooks"
    label = "QuickBooks Online"
    sales_kinds = ("sales_receipt", "sales_invoice")
    reference_max_length = 21
    oauth_authorize_url = staticmethod(oauth.authorize_url)
    oauth_authorize_base = oauth.AUTHORIZE_URL
    oauth_token_url = oauth.TOKEN_URL
    api_root_default = oauth.API_ROOT
    api_hosts = oauth.API_HOSTS

    def _client(self) -> QuickBooksClient:
        if self.tokens is None or not self.config.tenant_id:
            raise ExporterError("The QuickBooks connection has no tokens or realm yet")
        return QuickBooksClient(
            api_root=self.api_root,
            realm_id=self.config.tenant_id,
            tokens=self.tokens,
        )

    # --- OAuth (the flow is the base class's) ------------------------------------------------

    def tenant_discover(self, *, tokens: TokenSet, callback: Mapping[str, str]) -> Tenant:
        """The company is the callback's ``realmId``."""
        realm = (callback.get("realmId") or "").strip()
        if not (realm.isascii() and realm.isdigit()):
            raise ExporterError("QuickBooks: the callback carries no realmId")
        return Tenant(tenant_id=realm)

    # --- posting -------------------------------------------------------------------------------

    def document_payload(self, *, document: Document, contact_id: str = "") -> dict:
        """JournalEntry body for journals; SalesReceipt/Invoice/Bill body otherwise."""
        if isinstance(document, JournalDocument):
            return mapping.journal_body(document)
        return mapping.sales_body(document, contact_id=contact_id)

    def document_find(self, *, document: Document) -> PostResult | None:
        """Query the entity by DocNumber (our reference)."""
        entity = mapping.ENTITY[document.kind]
        answer = self._client().query(mapping.find_statement(entity, "DocNumber", document.reference))
        found = mapping.first_id(answer, entity)
        return PostResult(external_id=found, response=answer) if found else None

    def contact_find_or_create(self, *, contact: ContactRef) -> str:
        """Customer (or Vendor for suppliers) by DisplayName, else created with a requestid."""
        client = self._client()
        entity = "Vendor" if contact.is_supplier else "Customer"
        found = mapping.first_id(
            client.query(mapping.find_statement(entity, "DisplayName", contact.name)), entity
        )
        if found:
            return found
        request_id = hashlib.sha256(f"{self.config.connection_id}:{contact.key}".encode()).hexdigest()[:36]
        answer = client.create(entity.lower(), body=mapping.contact_body(contact), request_id=request_id)
        created = (answer.get(entity) or {}).get("Id")
        if not created:
            raise ExporterError(f"QuickBooks: the {entity} answer carries no Id", body=answer)
        return str(created)

    def document_create(self, *, document: Document, contact_id: str, idempotency_key: str) -> PostResult:
        """POST the entity with requestid = the idempotency key."""
        entity = mapping.ENTITY[document.kind]
        body = self.document_payload(document=document, contact_id=contact_id)
        answer = self._client().create(entity.lower(), body=body, request_id=idempotency_key)
        created = (answer.get(entity) or {}).get("Id")
        if not created:
            raise ExporterError(f"QuickBooks: the {entity} answer carries no Id", body=answer)
        return PostResult(external_id=str(created), response=answer)

    def document_total(self, *, kind: str, external_id: str) -> Decimal:
        """Read the entity by its Id: ``TotalAmt`` (tax included; journal entries: the debits)."""
        entity = mapping.ENTITY[kind]
        answer = self._client().read(entity.lower(), external_id)
        total = (answer.get(entity) or {}).get("TotalAmt")
        if total is None:
            raise ExporterError(
                f"QuickBooks: {entity} {external_id} read back carries no TotalAmt", body=answer
            )
        return Decimal(str(total)).quantize(Decimal("0.01"))
