"""Pure functions between our document DTOs and QuickBooks Online JSON.

Field names and their order follow the ``Finance.xsd`` types (SalesReceipt, Invoice,
JournalEntry, Bill, Line, SalesItemLineDetail, DiscountLineDetail, JournalEntryLineDetail,
AccountBasedExpenseLineDetail) and ``IntuitNamesTypes.xsd`` (Customer, Vendor). References are
``{"value": id}``. QuickBooks posts sales lines through Items (each with its income account),
so the sales, shipping and tax roles map to item ids; discounts map to an account
(DiscountLineDetail.DiscountAccountRef). Journal line amounts are positive with a PostingType.
``DocNumber`` (max 21 characters) is our reference, used to look documents up.
"""

from __future__ import annotations

from decimal import Decimal

from accounting_app.exporters.dto import ContactRef, JournalDocument, SalesDocument, SalesLine
from accounting_app.exporters.quickbooks.client import query_quote

ENTITY = {
    "sales_receipt": "SalesReceipt",
    "sales_invoice": "Invoice",
    "bill": "Bill",
    "bill_credit": "VendorCredit",
    "cogs_journal": "JournalEntry",
    "adjustment_journal": "JournalEntry",
}


def money(value: Decimal) -> float:
    """A 2-dp amount as a JSON number."""
    return float(value.quantize(Decimal("0.01")))


def ref(value: str) -> dict:
    """A ReferenceType."""
    return {"value": value}


def _sales_line(line: SalesLine) -> dict:
    if line.role == "discount":
        return {
            "Description": line.description,
            "Amount": money(-line.amount),
            "DetailType": "DiscountLineDetail",
            "DiscountLineDetail": {"PercentBased": False, "DiscountAccountRef": ref(line.account)},
        }
    detail: dict = {
        "ItemRef": ref(line.account),
        "UnitPrice": money(line.unit_amount),
        "Qty": float(line.quantity),
    }
    if line.tax_code:
        detail["TaxCodeRef"] = ref(line.tax_code)
    return {
        "Description": line.description,
        "Amount": money(line.amount),
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": detail,
    }


def _bill_line(line: SalesLine) -> dict:
    detail: dict = {"AccountRef": ref(line.account)}
    if line.tax_code:
        detail["TaxCodeRef"] = ref(line.tax_code)
    return {
        "Description": line.description,
        "Amount": money(line.amount),
        "DetailType": "AccountBasedExpenseLineDetail",
        "AccountBasedExpenseLineDetail": detail,
    }


def sales_body(document: SalesDocument, *, contact_id: str) -> dict:
    """The POST body of a SalesReceipt, Invoice (sales), Bill or VendorCredit (purchases)."""
    if document.kind in ("bill", "bill_credit"):
        body: dict = {
            "DocNumber": document.reference,
            "TxnDate": document.date.isoformat(),
            "PrivateNote": document.memo,
            "Line": [_bill_line(line) for line in document.lines],
            "VendorRef": ref(contact_id),
        }
        if document.payable_account:
            body["APAccountRef"] = ref(document.payable_account)
        if document.kind == "bill":
            body["DueDate"] = (document.due_date or document.date).isoformat()
        return body
    body = {
        "DocNumber": document.reference,
        "TxnDate": document.date.isoformat(),
        "PrivateNote": document.memo,
        "Line": [_sales_line(line) for line in document.lines],
        "CustomerRef": ref(contact_id),
    }
    if document.kind == "sales_receipt" and document.deposit_account:
        body["DepositToAccountRef"] = ref(document.deposit_account)
    return body


def journal_body(document: JournalDocument) -> dict:
    """The POST /journalentry body; refuses an unbalanced journal before anything is sent."""
    document.check_balanced()
    return {
        "DocNumber": document.reference,
        "TxnDate": document.date.isoformat(),
        "PrivateNote": document.narration[:4000],
        "Line": [
            {
                "Description": line.description,
                "Amount": money(abs(line.amount)),
                "DetailType": "JournalEntryLineDetail",
                "JournalEntryLineDetail": {
                    "PostingType": "Debit" if line.amount > 0 else "Credit",
                    "AccountRef": ref(line.account),
                },
            }
            for line in document.lines
        ],
    }


def contact_body(contact: ContactRef) -> dict:
    """The POST /customer or /vendor body (DisplayName is unique across names)."""
    body: dict = {"DisplayName": contact.name[:500]}
    if contact.email:
        body["PrimaryEmailAddr"] = {"Address": contact.email}
    return body


def find_statement(entity: str, field: str, value: str) -> str:
    """``select * from <Entity> where <field> = '<value>'``."""
    # Not SQL: Intuit's query language; the value is quoted and escaped by query_quote.
    return f"select * from {entity} where {field} = {query_quote(value)}"  # noqa: S608


def first_id(query_response: dict, entity: str) -> str | None:
    """The Id of the first entity of a QueryResponse, None when there is none."""
    items = query_response.get(entity) or []
    return str(items[0]["Id"]) if items else None
