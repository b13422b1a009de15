"""Books exact to the cent: no export while a tax mapping is missing, and every posted document
read back; a total at the vendor that differs from ours is flagged (the fakes apply each account's
or item's default tax to a line without a tax code, as Xero and QuickBooks do)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounting_app.models import AccountingConnection, DocumentStatus, ExportDocument, TotalCheck
from accounting_app.services.exports import ExportRefused, period_export
from tests.accounting_app.scenario import QBO_ACCOUNTS, XERO_ACCOUNTS, connect, connection_make

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def xero_untaxed(db, fake_xero):
    """A connected Xero connection with every account mapped and no tax mapping at all."""
    return connect(connection_make(kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS, taxes={}), fake_xero)


def test_xero_without_tax_mappings_refuses_to_export_saying_what_to_map_and_sends_nothing(
    xero_untaxed, fake_xero, shop
):
    with pytest.raises(ExportRefused) as refused:
        period_export(connection_id=xero_untaxed.pk, date_from=shop.today, date_to=shop.today)

    message = str(refused.value)
    assert "No sales tax mapping on connection 'Books (xero)'" in message
    assert "tax mapping of kind 'sales' for every channel with the Xero TaxType that adds no tax" in message
    assert "No purchases tax mapping" in message
    xero_untaxed.refresh_from_db()
    assert xero_untaxed.last_error == message
    assert fake_xero.invoices == [] and fake_xero.journals == [] and fake_xero.contacts == []
    assert not ExportDocument.objects.exists()


def test_a_channel_without_its_own_nor_a_default_sales_tax_mapping_is_named(fake_xero, shop):
    from accounting_app.services.connections import tax_mapping_set
    from tests.factories import SalesChannelFactory

    other = SalesChannelFactory(code="other", name="Etsy")
    connection = connection_make(kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS, taxes={})
    tax_mapping_set(connection=connection, kind="sales", external_code="NONE", channel_id=other.pk)
    tax_mapping_set(connection=connection, kind="purchases", external_code="NONE")
    connection = connect(connection, fake_xero)

    with pytest.raises(ExportRefused) as refused:
        period_export(connection_id=connection.pk, date_from=shop.today, date_to=shop.today)

    assert "for channel 'Shopify' (or for every channel)" in str(refused.value)
    assert fake_xero.invoices == []


def test_an_invoice_whose_posted_total_differs_from_ours_is_flagged_with_both_totals(
    xero, fake_xero, shop, api_client
):
    from accounting_app.services.connections import tax_mapping_set

    # A sales tax type that adds 10% GST on top of lines that already carry the channel's tax.
    tax_mapping_set(connection=xero, kind="sales", external_code="OUTPUT")

    run = period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)

    first = ExportDocument.objects.get(connection=xero, source_key=f"sales:order:{shop.order1.pk}")
    second = ExportDocument.objects.get(connection=xero, source_key=f"sales:order:{shop.order2.pk}")
    assert (first.status, first.total_check) == (DocumentStatus.POSTED, TotalCheck.DIFFERS)
    assert (first.expected_total, first.vendor_total) == (Decimal("155.00"), Decimal("170.50"))
    assert (second.expected_total, second.vendor_total) == (Decimal("30.00"), Decimal("33.00"))
    assert first.error == (
        f"SM-S{shop.order1.pk} is posted at Xero for 170.50 but totals 155.00 here: the vendor added tax "
        "or rounding of its own (check the tax mappings); correct the document there"
    )
    journals = ExportDocument.objects.filter(connection=xero, kind="cogs_journal")
    assert set(journals.values_list("total_check", flat=True)) == {TotalCheck.MATCHES}
    assert (run.posted, run.failed, run.flagged) == (4, 0, 2)
    assert "is posted at Xero for" in AccountingConnection.objects.get(pk=xero.pk).last_error
    # posted once, never sent again to "fix" it
    assert len(fake_xero.invoices) == 2
    flagged = api_client("viewer").get("/api/v1/accounting/documents/", {"total_check": "differs"}).json()
    rows = flagged["results"]
    assert sorted((r["reference"], r["expected_total"], r["vendor_total"]) for r in rows) == sorted(
        [(first.reference, "155.00", "170.50"), (second.reference, "30.00", "33.00")]
    )


def test_with_no_tax_mappings_every_total_read_back_matches_ours(xero, fake_xero, shop):
    run = period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)

    documents = ExportDocument.objects.filter(connection=xero).order_by("source_key")
    assert [(d.total_check, d.expected_total, d.vendor_total) for d in documents] == [
        (TotalCheck.MATCHES, Decimal("33.50"), Decimal("33.50")),
        (TotalCheck.MATCHES, Decimal("9.00"), Decimal("9.00")),
        (TotalCheck.MATCHES, Decimal("155.00"), Decimal("155.00")),
        (TotalCheck.MATCHES, Decimal("30.00"), Decimal("30.00")),
    ]
    assert run.flagged == 0
    invoice_reads = [
        p for m, p, s in fake_xero.answered if m == "GET" and p.startswith("/api.xro/2.0/Invoices/")
    ]
    assert len(invoice_reads) == 2


def test_a_read_back_that_fails_is_checked_by_the_next_run_and_flagged_then(xero, fake_xero, shop):
    from accounting_app.services.connections import tax_mapping_set

    tax_mapping_set(connection=xero, kind="sales", external_code="OUTPUT")
    fake_xero.inject("GET", "/api.xro/2.0/Invoices/", status=503, times=50)

    first_run = period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)

    pending = ExportDocument.objects.filter(connection=xero, kind="sales_invoice")
    assert set(pending.values_list("status", "total_check")) == {(DocumentStatus.POSTED, TotalCheck.PENDING)}
    assert first_run.flagged == 0
    fake_xero.faults.clear()

    period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)

    assert set(pending.values_list("total_check", "vendor_total")) == {
        (TotalCheck.DIFFERS, Decimal("170.50")),
        (TotalCheck.DIFFERS, Decimal("33.00")),
    }
    assert len(fake_xero.invoices) == 2


def test_quickbooks_without_tax_mappings_refuses_to_export_and_sends_nothing(fake_qbo, shop):
    connection = connection_make(
        kind="quickbooks", fake=fake_qbo, accounts=QBO_ACCOUNTS, taxes={}, sales_mode="sales_receipt"
    )
    connection = connect(connection, fake_qbo)

    with pytest.raises(ExportRefused) as refused:
        period_export(connection_id=connection.pk, date_from=shop.today, date_to=shop.today)

    assert "with the QuickBooks TaxCodeRef (tax code id) that adds no tax" in str(refused.value)
    assert all(rows == [] for rows in fake_qbo.entities.values())


def test_a_quickbooks_receipt_whose_total_differs_is_flagged_and_a_matching_one_is_not(qbo, fake_qbo, shop):
    from accounting_app.services.connections import tax_mapping_set
    from tests.factories import SalesChannelFactory

    # The shop's channel is mapped to GST (10% on top); another channel is left on "NON".
    tax_mapping_set(connection=qbo, kind="sales", external_code="2", channel_id=shop.channel.pk)
    SalesChannelFactory(code="quiet")

    run = period_export(connection_id=qbo.pk, date_from=shop.today, date_to=shop.today)

    receipt = ExportDocument.objects.get(connection=qbo, source_key=f"sales:order:{shop.order1.pk}")
    assert (receipt.total_check, receipt.expected_total, receipt.vendor_total) == (
        TotalCheck.DIFFERS,
        Decimal("155.00"),
        Decimal("170.90"),
    )
    assert receipt.error.startswith(f"SM-S{shop.order1.pk} is posted at QuickBooks Online for 170.90")
    assert run.flagged == 2
    assert ExportDocument.objects.filter(connection=qbo, total_check=TotalCheck.MATCHES).count() == 2
