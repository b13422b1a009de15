"""Tax on the fake Xero's invoices and credit notes, computed as Xero does.

Facts (xero_accounting.yaml v16.1.0: LineAmountTypes, LineItem.TaxType / TaxAmount, Invoice
SubTotal / TotalTax / Total; Xero staff on community.xero.com discussion 39081):
* ``LineAmountTypes`` is ``Exclusive`` (the default when omitted: tax is added on top of the line
  amounts), ``Inclusive`` (line amounts include tax) or ``NoTax`` (no tax at all);
* a line without ``TaxType`` gets the default tax type of its ``AccountCode`` (every account in a
  Xero chart has one); ``TaxType`` on the line overrides it; an unknown type is a validation error;
* ``TaxAmount`` is computed per line as a percentage of the line amount (rounded per line, Xero's
  default rounding) unless the line gives one.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
# Tax types (TaxRates) of the fake organisation and their rates in percent (GST-style).
TAX_RATES = {
    "OUTPUT": ("GST on Income", Decimal("10")),
    "INPUT": ("GST on Expenses", Decimal("10")),
    "EXEMPTOUTPUT": ("GST Free Income", Decimal("0")),
    "EXEMPTEXPENSES": ("GST Free Expenses", Decimal("0")),
    "BASEXCLUDED": ("BAS Excluded", Decimal("0")),
    "NONE": ("No GST", Decimal("0")),
}
# The default tax type of each account of the fake chart (fake.CHART).
ACCOUNT_TAX = {
    "200": "OUTPUT",
    "260": "OUTPUT",
    "203": "OUTPUT",
    "480": "OUTPUT",
    "310": "INPUT",
    "630": "INPUT",
    "478": "INPUT",
    "820": "BASEXCLUDED",
    "800": "BASEXCLUDED",
    "090": "BASEXCLUDED",
}


def tax_rates() -> list[dict]:
    """The GET /TaxRates list."""
    return [
        {
            "Name": name,
            "TaxType": code,
            "Status": "ACTIVE",
            "EffectiveRate": float(rate),
            "DisplayTaxRate": float(rate),
        }
        for code, (name, rate) in TAX_RATES.items()
    ]


def lines_taxed(lines: list[dict], amount_types: str) -> tuple[Decimal, Decimal, list[str]]:
    """Set TaxType and TaxAmount on each stored line (with ``LineAmount`` set); return
    (SubTotal, TotalTax, validation errors)."""
    errors: list[str] = []
    subtotal = total_tax = Decimal("0.00")
    for line in lines:
        amount = Decimal(str(line["LineAmount"]))
        if amount_types == "NoTax":
            line["TaxType"], line["TaxAmount"] = line.get("TaxType") or "NONE", Decimal("0.00")
            subtotal += amount
            continue
        tax_type = line.get("TaxType") or ACCOUNT_TAX.get(str(line.get("AccountCode")), "NONE")
        if tax_type not in TAX_RATES:
            errors.append(
                f"The TaxType code '{tax_type}' does not exist or cannot be used for this type of "
                "transaction."
            )
            continue
        rate = TAX_RATES[tax_type][1] / 100
        if "TaxAmount" in line:
            tax = Decimal(str(line["TaxAmount"])).quantize(CENT)
        elif amount_types == "Inclusive":
            tax = (amount * rate / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            tax = (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)
        line["TaxType"], line["TaxAmount"] = tax_type, tax
        subtotal += amount - tax if amount_types == "Inclusive" else amount
        total_tax += tax
    return subtotal, total_tax, errors
