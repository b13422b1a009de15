"""What the exporters send (and what the fakes answer) against the vendors' own schemas."""

from __future__ import annotations

import dataclasses

import pytest

from accounting_app.exporters.dto import ContactRef
from accounting_app.exporters.quickbooks import mapping as qbo_mapping
from accounting_app.exporters.xero import mapping as xero_mapping
from accounting_app.selectors.plan import connection_period_plan
from accounting_app.services.exports import period_export
from inventory_app.services.stock import stock_adjust
from tests.accounting_app.exporters.specs import needs_qbo_xsd, needs_xero_spec, qbo_errors, xero_errors

pytestmark = pytest.mark.django_db


def _every_kind(shop, connection):
    """Sales, COGS, a bill with landed costs and its supplier credit, and an adjustment."""
    from accounting_app.models import DocumentStatus, ExportDocument
    from inventory_app.services.purchasing.receiving import receipt_reverse

    receipt = shop.receive_po()
    ExportDocument.objects.create(  # as if the bill had been posted before the receipt was reversed
        connection=connection,
        kind="bill",
        source_key=f"bill:receipt:{receipt.pk}",
        reference="SM-B-test",
        document_date=shop.today,
        status=DocumentStatus.POSTED,
    )
    receipt_reverse(receipt=receipt)
    shop.receive_po()  # and one that stays
    stock_adjust(sku=shop.a, location=shop.location, delta=-1, reason_detail="damaged")
    from accounting_app.exporters.registry import exporter_class_get

    kinds = exporter_class_get(kind=connection.kind).sales_kinds
    planned = connection_period_plan(
        connection=connection, date_from=shop.today, date_to=shop.today, exporter_sales_kinds=kinds
    )
    assert {p.document.kind for p in planned} >= {"cogs_journal", "bill", "bill_credit", "adjustment_journal"}
    return planned


@needs_xero_spec
def test_xero_request_bodies_match_the_published_schemas(xero, shop):
    planned = _every_kind(shop, xero)

    for item in planned:
        document = item.document
        if document.kind.endswith("journal"):
            body, schema = xero_mapping.journal_body(document), "ManualJournals"
        elif document.kind == "bill_credit":
            body = xero_mapping.credit_note_body(document, contact_id="00000000-0000-0000-0000-000000000001")
            schema = "CreditNotes"
        else:
            body, schema = (
                xero_mapping.invoice_body(document, contact_id="00000000-0000-0000-0000-000000000001"),
                "Invoices",
            )
        assert xero_errors(body, schema) == [], item.source_key
    contact = xero_mapping.contact_body(
        ContactRef(key="channel:1", name="Shopify customers", email="a@b.example")
    )
    assert xero_errors(contact, "Contacts") == []


@needs_xero_spec
def test_xero_schema_check_catches_a_misspelt_field(xero, shop):
    body = {"Invoices": [{"Type": "ACCREC", "LineItem": [], "Status": "SENT"}]}

    errors = xero_errors(body, "Invoices")

    assert ".Invoices[0].LineItem: not in the schema" in errors
    assert any("'SENT' is not one of" in e for e in errors)


@needs_xero_spec
def test_fake_xero_answers_match_the_published_schemas(xero, fake_xero, shop):
    shop.receive_po()
    period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)
    import json

    for name in ("Invoices", "ManualJournals", "Contacts"):
        request = next(r for r in fake_xero.requests if r.method == "GET" and r.path.endswith(name))
        assert request.header("xero-tenant-id") == fake_xero.tenant_id
    answers = {
        "Invoices": {"Invoices": fake_xero.invoices},
        "ManualJournals": {"ManualJournals": fake_xero.journals},
        "Contacts": {"Contacts": fake_xero.contacts},
    }
    from config.sandbox.xero.httpserver import Reply

    for schema, answer in answers.items():
        decoded = json.loads(Reply(200, answer).encoded())
        assert xero_errors(decoded, schema) == [], schema


@needs_qbo_xsd
def test_quickbooks_request_bodies_match_the_xsd_types(qbo, shop):
    planned = _every_kind(shop, qbo)

    for item in planned:
        document = item.document
        entity = qbo_mapping.ENTITY[document.kind]
        if document.kind.endswith("journal"):
            body = qbo_mapping.journal_body(document)
        else:
            body = qbo_mapping.sales_body(document, contact_id="58")
        assert qbo_errors(body, entity) == [], item.source_key
        if document.kind == "sales_receipt":
            invoice = qbo_mapping.sales_body(
                dataclasses.replace(document, kind="sales_invoice"), contact_id="58"
            )
            assert "DepositToAccountRef" not in invoice
            assert qbo_errors(invoice, "Invoice") == [], item.source_key
    contact = qbo_mapping.contact_body(
        ContactRef(key="channel:1", name="Shopify customers", email="a@b.example")
    )
    assert qbo_errors(contact, "Customer") == [] and qbo_errors(contact, "Vendor") == []


@needs_qbo_xsd
def test_quickbooks_xsd_check_catches_wrong_names_order_and_enums():
    body = {
        "TxnDate": "2026-11-01",
        "DocNumber": "X",
        "Line": [
            {
                "Amount": 1.0,
                "DetailType": "JournalLineDetail",
                "JournalEntryLineDetail": {"PostingType": "Up"},
            }
        ],
        "Memo": "x",
    }

    errors = qbo_errors(body, "JournalEntry")

    assert ": elements out of the XSD order: ['TxnDate', 'DocNumber', 'Line', 'Memo']" in errors
    assert ".Memo: not an element of JournalEntry" in errors
    assert ".Line[0].DetailType: 'JournalLineDetail' is not one of Line.DetailType values" in errors
    posting = ".Line[0].JournalEntryLineDetail.PostingType"
    assert f"{posting}: 'Up' is not one of JournalEntryLineDetail.PostingType values" in errors
