"""Tax on the fake QuickBooks' sales and purchase transactions (the non-US tax model).

Facts (developer.intuit.com "Manage sales tax for non-US locales"; Finance.xsd:
GlobalTaxCalculationEnum, TxnTaxDetail, SalesItemLineDetail.TaxCodeRef,
AccountBasedExpenseLineDetail.TaxCodeRef, Item.SalesTaxCodeRef, Account.TaxCodeRef):
* a line's ``TaxCodeRef`` names the TaxCode whose rate applies to it; a line without one gets the
  default of its item (``SalesTaxCodeRef``) or, on a purchase line, of its account (``TaxCodeRef``);
* ``GlobalTaxCalculation``: ``TaxExcluded`` (the default here) adds the tax on top of the lines,
  ``TaxInclusive`` means line amounts include it, ``NotApplicable`` means no tax;
* the transaction's tax is answered in ``TxnTaxDetail.TotalTax``; ``TotalAmt`` includes it.
Not verified against a live company: discount lines carry no tax of their own here, and the tax is
rounded per line.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TAX_CODES = {
    "2": ("GST", Decimal("10")),
    "4": ("GST free", Decimal("0")),
    "NON": ("Out of scope", Decimal("0")),
}
# Default sales tax code of each item of fake.ITEMS, and purchase tax code of each account.
ITEM_TAX = {"1": "2", "2": "2", "3": "NON"}
ACCOUNT_TAX = {"81": "2", "30": "2", "60": "2", "86": "2"}


def _line_code(line: dict) -> tuple[str, str]:
    """(the line's amount detail kind, its tax code: given, else the item's / account's default)."""
    kind = line.get("DetailType", "")
    detail = line.get(kind) or {}
    given = (detail.get("TaxCodeRef") or {}).get("value")
    if kind == "SalesItemLineDetail":
        return kind, given or ITEM_TAX.get((detail.get("ItemRef") or {}).get("value"), "NON")
    if kind == "AccountBasedExpenseLineDetail":
        return kind, given or ACCOUNT_TAX.get((detail.get("AccountRef") or {}).get("value"), "NON")
    return kind, ""


def transaction_tax(body: dict) -> tuple[dict, Decimal, list[str]]:
    """(the body with each taxed line's TaxCodeRef and the TxnTaxDetail, TotalAmt, unknown codes)."""
    calculation = body.get("GlobalTaxCalculation") or "TaxExcluded"
    lines, unknown = [], []
    amount_total = tax_total = Decimal("0.00")
    for line in body.get("Line") or []:
        kind, code = _line_code(line)
        amount = Decimal(str(line.get("Amount", 0))).quantize(CENT)
        amount_total += -amount if kind == "DiscountLineDetail" else amount
        if not code or calculation == "NotApplicable":
            lines.append(line)
            continue
        if code not in TAX_CODES:
            unknown.append(code)
            continue
        rate = TAX_CODES[code][1] / 100
        tax = amount * rate / (1 + rate) if calculation == "TaxInclusive" else amount * rate
        tax_total += tax.quantize(CENT, rounding=ROUND_HALF_UP)
        lines.append({**line, kind: {**line[kind], "TaxCodeRef": {"value": code}}})
    total = amount_total if calculation == "TaxInclusive" else amount_total + tax_total
    taxed = {
        **body,
        "Line": lines,
        "GlobalTaxCalculation": calculation,
        "TxnTaxDetail": {"TotalTax": tax_total},
    }
    return taxed, total, unknown
