"""The fake QuickBooks entities: create (POST) with validation, and the query endpoint."""

from __future__ import annotations

import re
from decimal import Decimal

from config.sandbox.xero.httpserver import Reply, Request

from .fake import ACCOUNTS, ITEMS, fault, stamp
from .tax import transaction_tax

ENTITIES = {
    "salesreceipt": "SalesReceipt",
    "invoice": "Invoice",
    "journalentry": "JournalEntry",
    "bill": "Bill",
    "vendorcredit": "VendorCredit",
    "customer": "Customer",
    "vendor": "Vendor",
}
QUERY = re.compile(
    r"^\s*select\s+\*\s+from\s+(\w+)(?:\s+where\s+(\w+)\s*=\s*'((?:[^'\\]|\\.)*)')?"
    r"(?:\s+startposition\s+(\d+))?(?:\s+maxresults\s+(\d+))?\s*$",
    re.IGNORECASE,
)


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def missing(element: str) -> tuple[str, str, str, str]:
    return (
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {element} is missing in the request",
        "2020",
        element,
    )


def not_found(kind: str, value) -> tuple[str, str, str, str]:
    return (
        "Object Not Found",
        f"Object Not Found : Something you're trying to use has been made inactive. "
        f"Check the fields with accounts, customers, items, vendors or employees. ({kind} {value})",
        "610",
        "",
    )


def handle_entity(fake, request: Request, entity: str) -> Reply:
    if request.method == "GET" and entity == "query":
        return query(fake, request.query.get("query", ""))
    entity, _, entity_id = entity.partition("/")
    name = ENTITIES.get(entity.lower())
    if request.method == "GET" and name is not None and entity_id:
        found = [x for x in fake.entities[name] if x["Id"] == entity_id]
        if not found:
            return fault(400, [not_found(name, entity_id)])
        return Reply(200, {name: found[0], "time": stamp()})
    if request.method != "POST" or name is None:
        return fault(
            400,
            [("Unsupported Operation", f"Operation {request.method} {entity} is not supported.", "500", "")],
        )
    body = request.json() or {}
    errors = validate(fake, name, body)
    taxed_total = None
    if name in ("SalesReceipt", "Invoice", "Bill", "VendorCredit") and not errors:
        body, taxed_total, unknown = transaction_tax(body)
        errors += [not_found("TaxCode", code) for code in unknown]
    if errors:
        return fault(400, errors)
    fake.next_id += 1
    created = {
        **body,
        "Id": str(fake.next_id),
        "SyncToken": "0",
        "domain": "QBO",
        "sparse": False,
        "MetaData": {"CreateTime": stamp(), "LastUpdatedTime": stamp()},
    }
    if "Line" in body:
        lines = body["Line"]
        if name == "JournalEntry":
            created["TotalAmt"] = sum(
                (money(x["Amount"]) for x in lines if x["JournalEntryLineDetail"]["PostingType"] == "Debit"),
                Decimal("0"),
            )
        else:
            sign = {"DiscountLineDetail": -1}
            created["TotalAmt"] = sum(
                (money(x["Amount"]) * sign.get(x["DetailType"], 1) for x in lines), Decimal("0")
            )
    if taxed_total is not None:
        created["TotalAmt"] = taxed_total
    fake.entities[name].append(created)
    return Reply(200, {name: created, "time": stamp()})


def validate(fake, name: str, body: dict) -> list[tuple[str, str, str, str]]:
    errors = []
    if name in ("Customer", "Vendor"):
        display = (body.get("DisplayName") or "").strip()
        if not display:
            return [missing("DisplayName")]
        taken = [
            x
            for n in ("Customer", "Vendor")
            for x in fake.entities[n]
            if x["DisplayName"].lower() == display.lower()
        ]
        if taken:
            return [
                (
                    "Duplicate Name Exists Error",
                    "The name supplied already exists. : Another customer, vendor or employee is "
                    f"already using "
                    f"this name. Please use a different name. Id={taken[0]['Id']}",
                    "6240",
                    "",
                )
            ]
        return []
    lines = body.get("Line") or []
    if not lines:
        errors.append(missing("Line"))
    if len(body.get("DocNumber") or "") > 21:
        errors.append(
            (
                "String length is either shorter or longer than supported by specification",
                "String length specified does not match the supported length. Min:0 Max:21",
                "6000",
                "DocNumber",
            )
        )
    if name in ("SalesReceipt", "Invoice"):
        customers = {c["Id"] for c in fake.entities["Customer"]}
        if name == "Invoice" and not body.get("CustomerRef"):
            errors.append(missing("CustomerRef"))
        if body.get("CustomerRef") and body["CustomerRef"].get("value") not in customers:
            errors.append(not_found("Customer", body["CustomerRef"].get("value")))
        if body.get("DepositToAccountRef") and body["DepositToAccountRef"].get("value") not in ACCOUNTS:
            errors.append(not_found("Account", body["DepositToAccountRef"].get("value")))
        for line in lines:
            kind = line.get("DetailType")
            if kind == "SalesItemLineDetail":
                detail = line.get("SalesItemLineDetail") or {}
                if (detail.get("ItemRef") or {}).get("value") not in ITEMS:
                    errors.append(not_found("Item", (detail.get("ItemRef") or {}).get("value")))
                if "Qty" in detail and "UnitPrice" in detail:
                    expected = money(Decimal(str(detail["Qty"])) * Decimal(str(detail["UnitPrice"])))
                    if money(line.get("Amount", 0)) != expected:
                        errors.append(
                            (
                                "Amount calculation incorrect in the request",
                                "Amount is not equal to UnitPrice * Qty. "
                                f"Supplied value:{line.get('Amount')}",
                                "6070",
                                "",
                            )
                        )
            elif kind == "DiscountLineDetail":
                account = ((line.get("DiscountLineDetail") or {}).get("DiscountAccountRef") or {}).get(
                    "value"
                )
                if account not in ACCOUNTS:
                    errors.append(not_found("Account", account))
            else:
                errors.append(missing("DetailType"))
    if name in ("Bill", "VendorCredit"):
        vendors = {v["Id"] for v in fake.entities["Vendor"]}
        if not body.get("VendorRef"):
            errors.append(missing("VendorRef"))
        elif body["VendorRef"].get("value") not in vendors:
            errors.append(not_found("Vendor", body["VendorRef"].get("value")))
        for line in lines:
            account = ((line.get("AccountBasedExpenseLineDetail") or {}).get("AccountRef") or {}).get("value")
            if line.get("DetailType") != "AccountBasedExpenseLineDetail" or account not in ACCOUNTS:
                errors.append(not_found("Account", account))
    if name == "JournalEntry":
        debit = credit = Decimal("0")
        for line in lines:
            detail = line.get("JournalEntryLineDetail") or {}
            if detail.get("PostingType") not in ("Debit", "Credit"):
                errors.append(missing("PostingType"))
                continue
            if (detail.get("AccountRef") or {}).get("value") not in ACCOUNTS:
                errors.append(not_found("Account", (detail.get("AccountRef") or {}).get("value")))
            if detail["PostingType"] == "Debit":
                debit += money(line.get("Amount", 0))
            else:
                credit += money(line.get("Amount", 0))
        if debit != credit:
            errors.append(
                (
                    "A business validation error has occurred while processing your request",
                    f"Business Validation Error: Debits ({debit}) and credits ({credit}) of a journal entry "
                    "must be equal.",
                    "6000",
                    "",
                )
            )
    return errors


def query(fake, statement: str) -> Reply:
    match = QUERY.match(statement)
    if not match:
        return fault(
            400,
            [
                (
                    "Error parsing query",
                    f"QueryParserError: Encountered an unsupported statement: {statement}",
                    "4000",
                    "",
                )
            ],
            "ValidationFault",
        )
    entity, field, value, start, limit = match.groups()
    name = next((n for n in fake.entities if n.lower() == entity.lower()), None)
    if name is None:
        return fault(400, [("Error parsing query", f"QueryParserError: Invalid entity {entity}", "4000", "")])
    rows = fake.entities[name]
    if field:
        plain = re.sub(r"\\(.)", r"\1", value)
        rows = [r for r in rows if str(r.get(field, "")) == plain]
    first = int(start or 1)
    rows = rows[first - 1 : first - 1 + int(limit or 100)]
    answer: dict = {}
    if rows:
        answer = {name: rows, "startPosition": first, "maxResults": len(rows)}
    return Reply(200, {"QueryResponse": answer, "time": stamp()})
