"""The fake Xero's tax: an account's default tax type applies to a line without TaxType, as in
Xero; LineAmountTypes Exclusive (the default), Inclusive and NoTax; GET Invoices/{id}."""

from __future__ import annotations

import pytest

from config.sandbox.xero.fake import FakeXero

from .test_fake_xero import _api, _tokens


@pytest.fixture
def xero():
    with FakeXero() as fake:
        yield fake


def _invoice(xero, token, contact_id, lines, **extra):
    body = {
        "Invoices": [
            {
                "Type": "ACCREC",
                "Contact": {"ContactID": contact_id},
                "Date": "2026-11-01",
                "Status": "AUTHORISED",
                "LineItems": lines,
                **extra,
            }
        ]
    }
    answer = _api(xero, "PUT", "Invoices", token, json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()["Invoices"][0]


@pytest.fixture
def setup(xero):
    token = _tokens(xero)["access_token"]
    contact = _api(xero, "PUT", "Contacts", token, json={"Contacts": [{"Name": "Shop"}]}).json()["Contacts"][
        0
    ]
    return token, contact["ContactID"]


def test_a_line_without_tax_type_gets_its_accounts_default_tax_on_top(xero, setup):
    token, contact = setup
    sale = {"Description": "Red", "Quantity": 2, "UnitAmount": 50, "AccountCode": "200"}
    tax = {"Description": "Tax collected", "Quantity": 1, "UnitAmount": 10, "AccountCode": "820"}

    invoice = _invoice(xero, token, contact, [sale, tax])

    assert (invoice["SubTotal"], invoice["TotalTax"], invoice["Total"]) == (110.0, 10.0, 120.0)
    assert [(x["TaxType"], x["TaxAmount"]) for x in invoice["LineItems"]] == [
        ("OUTPUT", 10.0),
        ("BASEXCLUDED", 0.0),
    ]
    read = _api(xero, "GET", f"Invoices/{invoice['InvoiceID']}", token).json()["Invoices"]
    assert [i["Total"] for i in read] == [120.0]


def test_a_tax_type_on_the_line_overrides_the_default_and_an_unknown_one_is_refused(xero, setup):
    token, contact = setup
    line = {"Description": "Red", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200", "TaxType": "NONE"}

    assert _invoice(xero, token, contact, [line])["Total"] == 100.0
    unknown = _api(
        xero,
        "PUT",
        "Invoices",
        token,
        json={
            "Invoices": [
                {
                    "Type": "ACCREC",
                    "Contact": {"ContactID": contact},
                    "Date": "2026-11-01",
                    "LineItems": [{**line, "TaxType": "OUTPUT9"}],
                }
            ]
        },
    )
    assert unknown.status_code == 400
    (message,) = unknown.json()["Elements"][0]["ValidationErrors"]
    assert message["Message"].startswith("The TaxType code 'OUTPUT9' does not exist or cannot be used")
    assert len(xero.invoices) == 1


def test_inclusive_amounts_hold_the_tax_and_no_tax_adds_none(xero, setup):
    token, contact = setup
    line = {"Description": "Red", "Quantity": 1, "UnitAmount": 110, "AccountCode": "200"}

    inclusive = _invoice(xero, token, contact, [line], LineAmountTypes="Inclusive")
    no_tax = _invoice(xero, token, contact, [line], LineAmountTypes="NoTax")

    assert (inclusive["SubTotal"], inclusive["TotalTax"], inclusive["Total"]) == (100.0, 10.0, 110.0)
    assert (no_tax["TotalTax"], no_tax["Total"]) == (0.0, 110.0)


def test_reading_an_unknown_invoice_is_404(xero, setup):
    token, _ = setup

    assert _api(xero, "GET", "Invoices/00000000-0000-0000-0000-000000000000", token).status_code == 404
