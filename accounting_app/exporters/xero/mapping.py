"""Pure functions between our document DTOs and Xero's JSON (request bodies, answers).

Sales become ACCREC invoices (``Reference`` = our reference), bills ACCPAY invoices
(``InvoiceNumber`` = our reference: Xero keeps Reference for ACCREC), supplier credits ACCPAYCREDIT
credit notes (``CreditNoteNumber``), journals ManualJournals
whose ``Narration`` starts with ``[reference]``. Amounts are numbers with 2 decimals; journal
``LineAmount`` is positive for a debit and negative for a credit (xero_accounting.yaml,
ManualJournalLine). Lines carry our mapped ``AccountCode`` and ``TaxType``; tax collected by the
channel is its own line on the mapped tax account, so lines are ``Exclusive`` of tax.
"""

from __future__ import annotations

from decimal import Decimal

from accounting_app.exporters.dto import ContactRef, JournalDocument, SalesDocument


def money(value: Decimal) -> float:
    """A 2-dp Decimal as a JSON number (float repr of a 2-dp value is exact in text)."""
    return float(value.quantize(Decimal("0.01")))


def quantity(value: Decimal) -> float:
    """A quantity as a JSON number."""
    return float(value)


def where_equals(field: str, value: str) -> str:
    """A Xero ``where`` filter ``Field=="value"`` (double quotes are dropped from the value)."""
    return f'{field}=="{value.replace(chr(34), "")}"'


def journal_narration(document: JournalDocument) -> str:
    """The narration we write and look journals up by: ``[REF] text`` without double quotes."""
    return f"[{document.reference}] {document.narration}".replace('"', "")[:500]


def item_codes(document: SalesDocument) -> dict[str, str]:
    """SKU code -> sales account of the sales lines that name a SKU (Xero item codes, <= 30 chars)."""
    return {line.sku_code: line.account for line in document.lines if line.role == "sales" and line.sku_code}


def item_body(code: str, *, name: str, account: str) -> dict:
    """The PUT /Items body of an untracked item sold on ``account`` (we post COGS ourselves)."""
    return {
        "Items": [
            {
                "Code": code[:30],
                "Name": name[:50],
                "IsSold": True,
                "IsPurchased": False,
                "SalesDetails": {"AccountCode": account},
            }
        ]
    }


def invoice_body(document: SalesDocument, *, contact_id: str, with_items: bool = False) -> dict:
    """The PUT /Invoices body of a sale (ACCREC) or a bill (ACCPAY); ``with_items`` puts the SKU
    code of sales lines in ``ItemCode``."""
    is_bill = document.kind in ("bill", "bill_credit")
    lines = []
    for line in document.lines:
        item = {
            "Description": line.description[:4000] or line.role,
            "Quantity": quantity(line.quantity),
            "UnitAmount": money(line.unit_amount),
            "AccountCode": line.account,
            "LineAmount": money(line.amount),
        }
        if line.tax_code:
            item["TaxType"] = line.tax_code
        if with_items and not is_bill and line.role == "sales" and line.sku_code:
            item["ItemCode"] = line.sku_code[:30]
        lines.append(item)
    invoice = {
        "Type": "ACCPAY" if is_bill else "ACCREC",
        "Contact": {"ContactID": contact_id},
        "Date": document.date.isoformat(),
        "DueDate": (document.due_date or document.date).isoformat(),
        "LineAmountTypes": "Exclusive",
        "LineItems": lines,
        "CurrencyCode": document.currency,
        "Status": "AUTHORISED",
    }
    if is_bill:
        invoice["InvoiceNumber"] = document.reference
    else:
        invoice["Reference"] = document.reference
    return {"Invoices": [invoice]}


def credit_note_body(document: SalesDocument, *, contact_id: str) -> dict:
    """The PUT /CreditNotes body of a supplier credit (ACCPAYCREDIT, ``CreditNoteNumber`` = ours)."""
    invoice = invoice_body(document, contact_id=contact_id)["Invoices"][0]
    credit = {
        key: invoice[key]
        for key in ("Contact", "Date", "LineAmountTypes", "LineItems", "CurrencyCode", "Status")
    }
    return {"CreditNotes": [{"Type": "ACCPAYCREDIT", **credit, "CreditNoteNumber": document.reference}]}


def journal_body(document: JournalDocument) -> dict:
    """The PUT /ManualJournals body; refuses an unbalanced journal before anything is sent."""
    document.check_balanced()
    return {
        "ManualJournals": [
            {
                "Narration": journal_narration(document),
                "Date": document.date.isoformat(),
                "Status": "POSTED",
                "LineAmountTypes": "NoTax",
                "JournalLines": [
                    {
                        "LineAmount": money(line.amount),
                        "AccountCode": line.account,
                        "Description": line.description,
                    }
                    for line in document.lines
                ],
            }
        ]
    }


def contact_body(contact: ContactRef) -> dict:
    """The PUT /Contacts body of a new contact (names are unique among active Xero contacts)."""
    body: dict = {"Name": contact.name[:255]}
    if contact.email:
        body["EmailAddress"] = contact.email
    return {"Contacts": [body]}


def first_id(answer: dict, collection: str, id_field: str) -> str | None:
    """The id of the first element of ``answer[collection]``, None when the list is empty."""
    items = answer.get(collection) or []
    return str(items[0][id_field]) if items and items[0].get(id_field) else None


def document_total(answer: dict, collection: str) -> Decimal | None:
    """The total of the first document of a GET answer: ``Total`` of an invoice or credit note,
    the debits of a manual journal; None when the answer carries none."""
    items = answer.get(collection) or []
    if not items:
        return None
    if collection == "ManualJournals":
        amounts = [Decimal(str(x.get("LineAmount", 0))) for x in items[0].get("JournalLines") or []]
        return sum((a for a in amounts if a > 0), Decimal("0")).quantize(Decimal("0.01"))
    if items[0].get("Total") is None:
        return None
    return Decimal(str(items[0]["Total"])).quantize(Decimal("0.01"))
