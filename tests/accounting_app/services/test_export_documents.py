"""What each posting option produces (against the fake Xero): bills with landed costs,
adjustment journals, COGS corrections after a return, daily and monthly summaries, customers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounting_app.models import AccountingConnection, ExportDocument
from accounting_app.services.exports import period_export
from inventory_app.services.stock import stock_adjust

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _journal(fake, reference):
    return next(j for j in fake.journals if j["Narration"].startswith(f"[{reference}]"))


def _amounts(journal):
    return [(x["AccountCode"], x["LineAmount"]) for x in journal["JournalLines"]]


def test_a_bill_per_receipt_with_landed_costs_on_the_inventory_asset(xero, fake_xero, shop):
    receipt = shop.receive_po()

    period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)

    bill = next(i for i in fake_xero.invoices if i["Type"] == "ACCPAY")
    po = receipt.purchase_order.number
    assert bill["InvoiceNumber"] == f"SM-B{receipt.pk}"
    assert [(x["Description"], x["AccountCode"], x["LineAmount"]) for x in bill["LineItems"]] == [
        (f"A-RED x4 ({po})", "630", Decimal("10.00")),
        (f"B-BLUE x2 ({po})", "630", Decimal("16.00")),
        (f"Landed costs ({po})", "630", Decimal("13.00")),
    ]
    assert bill["Total"] == Decimal("39.00") == sum(line.value for line in receipt.lines.all())
    supplier = next(c for c in fake_xero.contacts if c["ContactID"] == bill["Contact"]["ContactID"])
    assert supplier["Name"] == "Acme Supplies"


def test_adjustments_post_one_daily_journal_at_their_ledger_value(xero, fake_xero, shop):
    # after the sales, the 5 A units left are from the 3.00 layer
    stock_adjust(sku=shop.a, location=shop.location, delta=-2, reason_detail="damaged")

    period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)

    journal = _journal(fake_xero, f"SM-AD{shop.today:%Y%m%d}")
    assert _amounts(journal) == [("478", Decimal("6.00")), ("630", Decimal("-6.00"))]


def test_a_return_after_posting_posts_an_adjustment_never_an_edit(xero, fake_xero, shop):
    period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)
    posted = _journal(fake_xero, f"SM-C{shop.order1.pk}")
    before = _amounts(posted)

    shop.return_units(shop.order1, "A-RED", 2)  # 2 of 12 units that shipped for 26.00
    period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)

    assert _amounts(_journal(fake_xero, f"SM-C{shop.order1.pk}")) == before
    adjustment = _journal(fake_xero, f"SM-C{shop.order1.pk}-A1")
    assert _amounts(adjustment) == [("310", Decimal("-4.33")), ("630", Decimal("4.33"))]
    document = ExportDocument.objects.get(connection=xero, source_key=f"cogs:order:{shop.order1.pk}:adj:1")
    assert document.amount == Decimal("-4.33") and document.corrects.reference == f"SM-C{shop.order1.pk}"
    assert len(fake_xero.journals) == 3

    again = period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)
    assert again.posted == 0 and len(fake_xero.journals) == 3


def test_daily_summary_per_channel_and_daily_cogs(fake_xero, shop):
    from tests.accounting_app.scenario import XERO_ACCOUNTS, connect, connection_make

    connection = connect(
        connection_make(
            kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS, sales_mode="daily_summary", cogs_mode="daily"
        ),
        fake_xero,
    )

    run = period_export(connection_id=connection.pk, date_from=shop.today, date_to=shop.today)

    assert run.posted == 2
    (summary,) = fake_xero.invoices
    assert summary["Reference"] == f"SM-SD{shop.today:%Y%m%d}-{shop.channel.pk}"
    assert [(x["Description"], x["LineAmount"]) for x in summary["LineItems"]] == [
        ("A-RED x15", Decimal("150.00")),
        ("B-BLUE x1", Decimal("20.00")),
        ("Shipping", Decimal("5.00")),
        ("Discounts", Decimal("-4.00")),
        ("Sales tax collected", Decimal("14.00")),
    ]
    assert summary["Total"] == shop.order1.total + shop.order2.total
    assert _amounts(_journal(fake_xero, f"SM-CD{shop.today:%Y%m%d}")) == [
        ("310", Decimal("42.50")),
        ("630", Decimal("-42.50")),
    ]


def test_monthly_cogs_waits_for_the_month_end(fake_xero, shop):
    from accounting_app.selectors.periods import month_last_day
    from tests.accounting_app.scenario import XERO_ACCOUNTS, connect, connection_make

    connection = connect(
        connection_make(
            kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS, sales_mode="none", cogs_mode="monthly"
        ),
        fake_xero,
    )
    first = shop.today.replace(day=1)
    last = month_last_day(shop.today)

    if shop.today != last:
        early = period_export(connection_id=connection.pk, date_from=first, date_to=shop.today)
        assert early.posted == 0
    run = period_export(connection_id=connection.pk, date_from=first, date_to=last)

    assert run.posted == 1
    assert _amounts(_journal(fake_xero, f"SM-CM{shop.today:%Y%m}")) == [
        ("310", Decimal("42.50")),
        ("630", Decimal("-42.50")),
    ]


def test_customers_by_email_are_created_once_each(fake_xero, shop):
    from tests.accounting_app.scenario import XERO_ACCOUNTS, connect, connection_make

    connection = connect(
        connection_make(
            kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS, customer_mode="by_email", cogs_mode="none"
        ),
        fake_xero,
    )
    from inventory_app.services.orders import OrderLineInput

    third = shop.sell("1003", [OrderLineInput("B-BLUE", 1, Decimal("20.00"))], email="ANN@example.com")

    period_export(connection_id=connection.pk, date_from=shop.today, date_to=shop.today)
    period_export(connection_id=connection.pk, date_from=shop.today, date_to=shop.today)

    assert sorted(c["Name"] for c in fake_xero.contacts) == [
        "Customer 1001 (ann@example.com)",
        "Customer 1002 (bob@example.com)",
    ]
    assert AccountingConnection.objects.get(pk=connection.pk).contacts.count() == 2
    ann = next(c for c in fake_xero.contacts if c["Name"].startswith("Customer 1001"))
    assert (
        next(i for i in fake_xero.invoices if i["Reference"] == f"SM-S{third.pk}")["Contact"]["ContactID"]
        == (ann["ContactID"])
    )


def test_days_before_export_from_are_never_posted(xero, fake_xero, shop):
    from datetime import timedelta

    xero.export_from = shop.today + timedelta(days=1)
    xero.save(update_fields=["export_from"])

    run = period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)

    assert run.posted == 0 and fake_xero.invoices == [] and fake_xero.journals == []


def test_per_channel_accounts_and_mapped_tax_types(xero, fake_xero, shop):
    from accounting_app.services.connections import account_mapping_set, tax_mapping_set

    account_mapping_set(connection=xero, role="sales_income", external_code="260", channel_id=shop.channel.pk)
    tax_mapping_set(connection=xero, kind="sales", external_code="NONE")

    period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)

    invoice = next(i for i in fake_xero.invoices if i["Reference"] == f"SM-S{shop.order2.pk}")
    assert [(x["AccountCode"], x["TaxType"]) for x in invoice["LineItems"]] == [("260", "NONE")]
    shipping = next(i for i in fake_xero.invoices if i["Reference"] == f"SM-S{shop.order1.pk}")["LineItems"][
        2
    ]
    assert (shipping["Description"], shipping["AccountCode"]) == ("Shipping", "203")  # the default mapping


def test_item_codes_create_untracked_xero_items_once(fake_xero, shop):
    from tests.accounting_app.scenario import XERO_ACCOUNTS, connect, connection_make

    connection = connect(
        connection_make(
            kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS, use_item_codes=True, cogs_mode="none"
        ),
        fake_xero,
    )

    period_export(connection_id=connection.pk, date_from=shop.today, date_to=shop.today)

    assert sorted((i["Code"], i["SalesDetails"]["AccountCode"]) for i in fake_xero.items) == [
        ("A-RED", "200"),
        ("B-BLUE", "200"),
    ]
    first = next(i for i in fake_xero.invoices if i["Reference"] == f"SM-S{shop.order1.pk}")
    assert [x.get("ItemCode") for x in first["LineItems"]] == ["A-RED", "B-BLUE", None, None, None]
    assert fake_xero.calls["PUT /api.xro/2.0/Items"] == 2


def test_a_receipt_reversed_after_its_bill_posts_a_supplier_credit(xero, fake_xero, shop):
    from inventory_app.services.purchasing.receiving import receipt_reverse

    receipt = shop.receive_po()
    period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)
    bill = next(i for i in fake_xero.invoices if i["Type"] == "ACCPAY")

    receipt_reverse(receipt=receipt)
    run = period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)

    assert run.posted == 1
    (credit,) = fake_xero.credit_notes
    assert (credit["Type"], credit["CreditNoteNumber"], credit["Total"]) == (
        "ACCPAYCREDIT",
        f"SM-B{receipt.pk}-R",
        39.0,
    )
    assert credit["Contact"] == {"ContactID": bill["Contact"]["ContactID"]}
    assert [x["LineAmount"] for x in credit["LineItems"]] == [x["LineAmount"] for x in bill["LineItems"]]
    assert len([i for i in fake_xero.invoices if i["Type"] == "ACCPAY"]) == 1  # the bill is not edited
    document = ExportDocument.objects.get(connection=xero, kind="bill_credit")
    assert document.corrects.reference == f"SM-B{receipt.pk}"
    assert period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today).posted == 0


def test_a_receipt_reversed_before_export_posts_neither_bill_nor_credit(xero, fake_xero, shop):
    from inventory_app.services.purchasing.receiving import receipt_reverse

    receipt_reverse(receipt=shop.receive_po())

    period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)

    assert [i for i in fake_xero.invoices if i["Type"] == "ACCPAY"] == [] and fake_xero.credit_notes == []
