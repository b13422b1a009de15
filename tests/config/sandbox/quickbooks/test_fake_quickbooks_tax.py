"""The fake QuickBooks' tax: a line without TaxCodeRef gets its item's default sales tax code, as
in QuickBooks Online (non-US); GlobalTaxCalculation; GET <entity>/<id> reads TotalAmt back."""

from __future__ import annotations

import pytest

from config.sandbox.quickbooks.fake import FakeQuickBooks

from .test_fake_quickbooks import _call, _tokens


@pytest.fixture
def qbo():
    with FakeQuickBooks() as fake:
        yield fake


def _line(item: str, amount: float, tax_code: str = "") -> dict:
    detail = {"ItemRef": {"value": item}, "UnitPrice": amount, "Qty": 1}
    if tax_code:
        detail["TaxCodeRef"] = {"value": tax_code}
    return {"Amount": amount, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": detail}


def _receipt(qbo, token, lines, **extra) -> dict:
    answer = _call(qbo, "POST", "salesreceipt", token, json={"Line": lines, **extra})
    assert answer.status_code == 200, answer.text
    return answer.json()["SalesReceipt"]


def test_a_line_without_tax_code_gets_its_items_default_tax_on_top(qbo):
    token = _tokens(qbo)["access_token"]

    receipt = _receipt(qbo, token, [_line("1", 100.0), _line("3", 10.0)])

    assert (receipt["TotalAmt"], receipt["TxnTaxDetail"]["TotalTax"]) == (120.0, 10.0)
    assert [x["SalesItemLineDetail"]["TaxCodeRef"] for x in receipt["Line"]] == [
        {"value": "2"},
        {"value": "NON"},
    ]
    read = _call(qbo, "GET", f"salesreceipt/{receipt['Id']}", token).json()
    assert read["SalesReceipt"]["TotalAmt"] == 120.0


def test_a_tax_code_on_the_line_wins_inclusive_and_not_applicable_add_nothing(qbo):
    token = _tokens(qbo)["access_token"]

    explicit = _receipt(qbo, token, [_line("1", 100.0, "NON")])
    inclusive = _receipt(qbo, token, [_line("1", 110.0)], GlobalTaxCalculation="TaxInclusive")
    not_applicable = _receipt(qbo, token, [_line("1", 100.0)], GlobalTaxCalculation="NotApplicable")

    assert explicit["TotalAmt"] == 100.0
    assert (inclusive["TotalAmt"], inclusive["TxnTaxDetail"]["TotalTax"]) == (110.0, 10.0)
    assert (not_applicable["TotalAmt"], not_applicable["TxnTaxDetail"]["TotalTax"]) == (100.0, 0.0)


def test_an_unknown_tax_code_or_id_is_object_not_found(qbo):
    token = _tokens(qbo)["access_token"]

    refused = _call(qbo, "POST", "salesreceipt", token, json={"Line": [_line("1", 5.0, "99")]})
    missing = _call(qbo, "GET", "salesreceipt/4242", token)

    assert refused.status_code == 400 and refused.json()["Fault"]["Error"][0]["code"] == "610"
    assert missing.status_code == 400 and missing.json()["Fault"]["Error"][0]["code"] == "610"
    assert qbo.entities["SalesReceipt"] == []
