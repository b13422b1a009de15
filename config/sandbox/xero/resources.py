"""The fake Xero's Accounting API resources: Invoices, ManualJournals, Contacts, Items, Accounts,
TaxRates; ``GET <collection>/<id>`` reads one document."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from .fake import CHART, ms_date, validation_error
from .httpserver import Reply, Request
from .tax import ACCOUNT_TAX, lines_taxed, tax_rates

PAGE_SIZE = 100
WHERE_TERM = re.compile(r'^\s*([A-Za-z.]+)\s*==\s*"([^"]*)"\s*$')


def envelope(collection: str, items: list[dict]) -> dict:
    return {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": "stockmaster tests",
        "DateTimeUTC": ms_date(datetime.now(UTC).timestamp()),
        collection: items,
    }


def where_match(where: str, item: dict) -> bool:
    """``Field=="value"`` terms joined by AND (dotted fields walk nested objects)."""
    if not where:
        return True
    for term in re.split(r"\s+AND\s+", where):
        match = WHERE_TERM.match(term)
        if not match:
            raise ValueError(f"unsupported where term {term!r}")
        value = item
        for part in match.group(1).split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if str(value if value is not None else "") != match.group(2):
            return False
    return True


def listing(request: Request, collection: str, items: list[dict]) -> Reply:
    try:
        found = [i for i in items if where_match(request.query.get("where", ""), i)]
    except ValueError as exc:
        return Reply(400, {"ErrorNumber": 16, "Type": "QueryParseException", "Message": str(exc)})
    page = int(request.query.get("page") or 1)
    return Reply(200, envelope(collection, found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]))


def parse_date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


ID_FIELDS = {
    "Invoices": "InvoiceID",
    "ManualJournals": "ManualJournalID",
    "CreditNotes": "CreditNoteID",
    "Contacts": "ContactID",
    "Items": "ItemID",
}


def read_one(fake, collection: str, item_id: str) -> Reply:
    """GET <collection>/<id>: the one document in the collection's envelope, 404 when unknown."""
    stores = {
        "Invoices": fake.invoices,
        "ManualJournals": fake.journals,
        "CreditNotes": fake.credit_notes,
        "Contacts": fake.contacts,
        "Items": fake.items,
    }
    found = [x for x in stores.get(collection, []) if x.get(ID_FIELDS.get(collection)) == item_id]
    if not found:
        return Reply(404, {"Title": "NotFound", "Status": 404, "Detail": f"{collection} {item_id} not found"})
    return Reply(200, envelope(collection, found))


def handle_resource(fake, request: Request, resource: str) -> Reply:
    name, _, item_id = resource.partition("/")
    if request.method == "GET" and item_id:
        return read_one(fake, name, item_id)
    if request.method == "GET":
        if name == "TaxRates":
            return Reply(200, envelope("TaxRates", tax_rates()))
        if name == "Invoices":
            items = fake.invoices
            if numbers := request.query.get("InvoiceNumbers"):
                wanted = set(numbers.split(","))
                items = [i for i in items if i.get("InvoiceNumber") in wanted]
            return listing(request, "Invoices", items)
        if name == "ManualJournals":
            return listing(request, "ManualJournals", fake.journals)
        if name == "CreditNotes":
            return listing(request, "CreditNotes", fake.credit_notes)
        if name == "Contacts":
            return listing(request, "Contacts", fake.contacts)
        if name == "Items":
            return listing(request, "Items", fake.items)
        if name == "Accounts":
            return Reply(
                200,
                envelope(
                    "Accounts",
                    [
                        {
                            "AccountID": str(uuid.uuid5(uuid.NAMESPACE_OID, c)),
                            "Code": c,
                            "Name": n,
                            "Status": "ACTIVE",
                            "TaxType": ACCOUNT_TAX.get(c, "NONE"),
                        }
                        for c, n in CHART.items()
                    ],
                ),
            )
        return Reply(404, {"Title": "NotFound", "Status": 404})
    if request.method != "PUT":
        return Reply(405, {"Title": "MethodNotAllowed", "Status": 405})
    body = request.json() or {}
    if name == "Invoices":
        return create_invoices(fake, body.get("Invoices") or [])
    if name == "ManualJournals":
        return create_journals(fake, body.get("ManualJournals") or [])
    if name == "CreditNotes":
        return create_credit_notes(fake, body.get("CreditNotes") or [])
    if name == "Contacts":
        return create_contacts(fake, body.get("Contacts") or [])
    if name == "Items":
        return create_items(fake, body.get("Items") or [])
    return Reply(404, {"Title": "NotFound", "Status": 404})


def _account_errors(code) -> list[str]:
    if code is None or str(code) not in CHART:
        return [f"Account code '{code}' is not a valid code for this document."]
    return []


def create_invoices(fake, invoices: list[dict]) -> Reply:
    created = []
    for invoice in invoices:
        errors = []
        if invoice.get("Type") not in ("ACCREC", "ACCPAY"):
            errors.append("Invoice Type must be specified")
        contact = invoice.get("Contact") or {}
        known = {c["ContactID"]: c for c in fake.contacts}
        if contact.get("ContactID") and contact["ContactID"] not in known:
            errors.append("Contact with ContactID does not exist")
        if not contact.get("ContactID") and not contact.get("Name"):
            errors.append("A Contact must be specified for this type of transaction")
        if parse_date(invoice.get("Date")) is None:
            errors.append("Date is required")
        lines = invoice.get("LineItems") or []
        if not lines:
            errors.append("Invoices must have at least one line item")
        status = invoice.get("Status", "DRAFT")
        if (
            status == "AUTHORISED"
            and invoice.get("Type") == "ACCPAY"
            and parse_date(invoice.get("DueDate")) is None
        ):
            errors.append("Due Date is required for approved bills")
        stored_lines = []
        for line in lines:
            if not line.get("Description"):
                errors.append("Description is required for a line item")
            if status == "AUTHORISED":
                errors += _account_errors(line.get("AccountCode"))
            if line.get("ItemCode") and not any(i["Code"] == line["ItemCode"] for i in fake.items):
                errors.append(f"Item code '{line['ItemCode']}' is not valid")
            qty, unit = Decimal(str(line.get("Quantity", 1))), Decimal(str(line.get("UnitAmount", 0)))
            amount = money(qty * unit)
            if "LineAmount" in line and money(line["LineAmount"]) != amount:
                errors.append("The line total must equal the quantity multiplied by the unit amount")
            stored_lines.append({**line, "LineItemID": str(uuid.uuid4()), "LineAmount": amount})
        amount_types = invoice.get("LineAmountTypes") or "Exclusive"
        subtotal, total_tax, tax_errors = lines_taxed(stored_lines, amount_types)
        errors += tax_errors
        if errors:
            return validation_error(invoice, errors)
        number = invoice.get("InvoiceNumber") or f"INV-{len(fake.invoices) + 1:04d}"
        stamp = datetime.combine(parse_date(invoice["Date"]), datetime.min.time(), UTC).timestamp()
        contact_row = known.get(contact.get("ContactID")) or {
            "ContactID": str(uuid.uuid4()),
            "Name": contact.get("Name"),
        }
        stored = {
            **invoice,
            "InvoiceID": str(uuid.uuid4()),
            "InvoiceNumber": number,
            "Status": status,
            "LineAmountTypes": amount_types,
            "LineItems": stored_lines,
            "SubTotal": subtotal,
            "TotalTax": total_tax,
            "Total": subtotal + total_tax,
            "Contact": {"ContactID": contact_row["ContactID"], "Name": contact_row["Name"]},
            "Date": ms_date(stamp),
            "Reference": invoice.get("Reference", ""),
            "HasErrors": False,
        }
        created.append(stored)
    fake.invoices.extend(created)
    return Reply(200, envelope("Invoices", created))


def create_journals(fake, journals: list[dict]) -> Reply:
    created = []
    for journal in journals:
        errors = []
        if not journal.get("Narration"):
            errors.append("Narration is required")
        lines = journal.get("JournalLines") or []
        if len(lines) < 2:
            errors.append("At least two journal lines are required")
        for line in lines:
            errors += _account_errors(line.get("AccountCode"))
        debits = sum(
            (money(x["LineAmount"]) for x in lines if money(x.get("LineAmount", 0)) > 0), Decimal("0")
        )
        credits = -sum(
            (money(x["LineAmount"]) for x in lines if money(x.get("LineAmount", 0)) < 0), Decimal("0")
        )
        if debits != credits:
            errors.append(f"The total debits ({debits}) must equal total credits ({credits})")
        if parse_date(journal.get("Date")) is None:
            errors.append("Date is required")
        if errors:
            return validation_error(journal, errors)
        created.append(
            {
                **journal,
                "ManualJournalID": str(uuid.uuid4()),
                "Status": journal.get("Status", "DRAFT"),
                "JournalLines": [{**x, "LineAmount": money(x["LineAmount"])} for x in lines],
            }
        )
    fake.journals.extend(created)
    return Reply(200, envelope("ManualJournals", created))


def create_contacts(fake, contacts: list[dict]) -> Reply:
    created = []
    for contact in contacts:
        name = (contact.get("Name") or "").strip()
        if not name:
            return validation_error(contact, ["The contact name must be specified"])
        if any(c["Name"].lower() == name.lower() for c in fake.contacts + created):
            return validation_error(
                contact,
                [
                    f"The contact name {name} is already assigned to another contact. "
                    "The contact name must be unique across all active contacts."
                ],
            )
        created.append({**contact, "ContactID": str(uuid.uuid4()), "ContactStatus": "ACTIVE", "Name": name})
    fake.contacts.extend(created)
    return Reply(200, envelope("Contacts", created))


def create_items(fake, items: list[dict]) -> Reply:
    created = []
    for item in items:
        if not item.get("Code"):
            return validation_error(item, ["Item code is required"])
        if any(i["Code"] == item["Code"] for i in fake.items):
            return validation_error(item, [f"Item code '{item['Code']}' already exists"])
        created.append({**item, "ItemID": str(uuid.uuid4())})
    fake.items.extend(created)
    return Reply(200, envelope("Items", created))


def create_credit_notes(fake, notes: list[dict]) -> Reply:
    created = []
    known = {c["ContactID"]: c for c in fake.contacts}
    for note in notes:
        errors = []
        if note.get("Type") not in ("ACCPAYCREDIT", "ACCRECCREDIT"):
            errors.append("Credit Note Type must be specified")
        if (note.get("Contact") or {}).get("ContactID") not in known:
            errors.append("Contact with ContactID does not exist")
        lines = note.get("LineItems") or []
        if not lines:
            errors.append("Credit notes must have at least one line item")
        for line in lines:
            if note.get("Status") == "AUTHORISED":
                errors += _account_errors(line.get("AccountCode"))
        stored_lines = [
            {**x, "LineAmount": money(money(x.get("Quantity", 1)) * money(x.get("UnitAmount", 0)))}
            for x in lines
        ]
        amount_types = note.get("LineAmountTypes") or "Exclusive"
        subtotal, total_tax, tax_errors = lines_taxed(stored_lines, amount_types)
        errors += tax_errors
        if errors:
            return validation_error(note, errors)
        total = money(subtotal + total_tax)
        created.append(
            {
                **note,
                "CreditNoteID": str(uuid.uuid4()),
                "LineAmountTypes": amount_types,
                "LineItems": stored_lines,
                "SubTotal": subtotal,
                "TotalTax": total_tax,
                "Total": total,
                "RemainingCredit": total,
            }
        )
    fake.credit_notes.extend(created)
    return Reply(200, envelope("CreditNotes", created))
