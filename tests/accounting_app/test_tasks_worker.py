"""The accounting export end to end through the real broker: the export is enqueued here, a
separate ``celery worker`` process consumes it (on the embedded pass: the file-system broker and
the SQLite file) and posts each shipped order to the Xero and QuickBooks fakes exactly once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounting_app.models import ExportRun
from accounting_app.services.schedule import export_enqueue
from tests.accounting_app.scenario import QBO_ACCOUNTS, XERO_ACCOUNTS, Shop, connect, connection_make
from tests.worker_process import celery_worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


def test_a_worker_posts_the_export_to_xero_and_quickbooks_once_and_a_second_export_posts_nothing(
    fake_xero, fake_qbo, celery_through_broker
):
    shop = Shop()
    xero = connect(connection_make(kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS), fake_xero)
    qbo = connect(
        connection_make(kind="quickbooks", fake=fake_qbo, accounts=QBO_ACCOUNTS, sales_mode="sales_receipt"),
        fake_qbo,
    )

    with celery_worker("accounting", ACCOUNTING_ALLOW_PRIVATE_HOSTS="1") as worker:
        for connection in (xero, qbo):
            export_enqueue(connection_id=connection.pk, date_from=shop.today, date_to=shop.today)
        wait_for(
            lambda: ExportRun.objects.filter(finished_at__isnull=False).count() == 2,
            timeout=90,
            what="both export runs",
            proc=worker,
        )
        for connection in (xero, qbo):  # the same period again: everything is posted already
            export_enqueue(connection_id=connection.pk, date_from=shop.today, date_to=shop.today)
        wait_for(
            lambda: ExportRun.objects.filter(finished_at__isnull=False).count() == 4,
            timeout=90,
            what="the second runs",
            proc=worker,
        )

    runs = list(
        ExportRun.objects.order_by("pk").values_list("connection__kind", "posted", "skipped", "failed")
    )
    assert sorted(runs[:2]) == [("quickbooks", 4, 0, 0), ("xero", 4, 0, 0)]
    assert sorted(runs[2:]) == [("quickbooks", 0, 2, 0), ("xero", 0, 2, 0)]
    assert sorted(i["Total"] for i in fake_xero.invoices) == [Decimal("30.00"), Decimal("155.00")]
    assert sorted(r["TotalAmt"] for r in fake_qbo.entities["SalesReceipt"]) == [
        Decimal("30.00"),
        Decimal("155.00"),
    ]
    assert len(fake_xero.journals) == 2 and len(fake_qbo.entities["JournalEntry"]) == 2
    assert fake_xero.replays == 0 and fake_qbo.replays == 0
