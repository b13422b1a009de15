"""End to end against the fake QuickBooks Online: sales receipts and COGS journal entries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounting_app.exporters.errors import RetryableError
from accounting_app.models import DocumentStatus, ExportDocument
from accounting_app.services.connections import account_mapping_set, connection_secrets
from accounting_app.services.exports import period_export

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _receipt(fake, reference):
    return next(r for r in fake.entities["SalesReceipt"] if r["DocNumber"] == reference)


def test_connect_stores_realm_from_the_callback_and_tokens_encrypted(qbo, fake_qbo):
    secrets = connection_secrets(connection=qbo)
    assert qbo.tenant_id == fake_qbo.realm_id and qbo.status == "connected"
    assert secrets["access_token"] in fake_qbo.access and secrets["refresh_token"] in fake_qbo.refresh_tokens
    assert secrets["access_token"] not in qbo.secrets_encrypted and "qbo-secret" not in qbo.secrets_encrypted


def test_period_posts_sales_receipts_and_balanced_journal_entries(qbo, fake_qbo, shop):
    run = period_export(connection_id=qbo.pk, date_from=shop.today, date_to=shop.today)

    assert (run.posted, run.failed) == (4, 0)
    receipt = _receipt(fake_qbo, f"SM-S{shop.order1.pk}")
    assert [
        (x["DetailType"], x["Amount"], x.get("SalesItemLineDetail", {}).get("ItemRef"))
        for x in receipt["Line"]
    ] == [
        ("SalesItemLineDetail", Decimal("120.0"), {"value": "1"}),
        ("SalesItemLineDetail", Decimal("20.0"), {"value": "1"}),
        ("SalesItemLineDetail", Decimal("5.0"), {"value": "2"}),
        ("DiscountLineDetail", Decimal("4.0"), None),
        ("SalesItemLineDetail", Decimal("14.0"), {"value": "3"}),
    ]
    assert receipt["TotalAmt"] == Decimal("155.00") and receipt["DepositToAccountRef"] == {"value": "35"}
    customers = fake_qbo.entities["Customer"]
    assert [c["DisplayName"] for c in customers] == ["Shopify customers"]
    assert receipt["CustomerRef"] == {"value": customers[0]["Id"]}
    entry = next(j for j in fake_qbo.entities["JournalEntry"] if j["DocNumber"] == f"SM-C{shop.order1.pk}")
    assert [
        (
            x["JournalEntryLineDetail"]["PostingType"],
            x["JournalEntryLineDetail"]["AccountRef"]["value"],
            x["Amount"],
        )
        for x in entry["Line"]
    ] == [
        ("Debit", "30", Decimal("26.0")),
        ("Debit", "30", Decimal("7.5")),
        ("Credit", "81", Decimal("33.5")),
    ]
    assert set(fake_qbo.minor_versions) == {"75"}


def test_rerun_posts_nothing_new(qbo, fake_qbo, shop):
    period_export(connection_id=qbo.pk, date_from=shop.today, date_to=shop.today)
    posts = sum(n for call, n in fake_qbo.calls.items() if call.startswith("POST"))

    again = period_export(connection_id=qbo.pk, date_from=shop.today, date_to=shop.today)

    assert again.posted == 0 and again.failed == 0
    assert len(fake_qbo.entities["SalesReceipt"]) == 2 and len(fake_qbo.entities["JournalEntry"]) == 2
    assert sum(n for call, n in fake_qbo.calls.items() if call.startswith("POST")) == posts


def test_answer_lost_after_quickbooks_accepted_does_not_duplicate(qbo, fake_qbo, shop):
    fake_qbo.drop_after("POST", "/journalentry")

    with pytest.raises(RetryableError):
        period_export(connection_id=qbo.pk, date_from=shop.today, date_to=shop.today)
    assert len(fake_qbo.entities["JournalEntry"]) == 1

    period_export(connection_id=qbo.pk, date_from=shop.today, date_to=shop.today)

    assert len(fake_qbo.entities["JournalEntry"]) == 2 and len(fake_qbo.entities["SalesReceipt"]) == 2
    recovered = ExportDocument.objects.get(connection=qbo, recovered=True)
    assert recovered.kind == "cogs_journal" and recovered.status == DocumentStatus.POSTED


def test_refresh_on_401_rotates_the_refresh_token(qbo, fake_qbo, shop):
    old = connection_secrets(connection=qbo)["refresh_token"]
    fake_qbo.expire_access_tokens()

    run = period_export(connection_id=qbo.pk, date_from=shop.today, date_to=shop.today)

    qbo.refresh_from_db()
    new = connection_secrets(connection=qbo)["refresh_token"]
    assert run.posted == 4 and fake_qbo.refresh_count == 1
    assert new != old and old not in fake_qbo.refresh_tokens and new in fake_qbo.refresh_tokens


def test_refresh_before_expiry_without_a_401(qbo, fake_qbo, shop):
    from datetime import timedelta

    from django.utils import timezone

    qbo.access_expires_at = timezone.now() + timedelta(seconds=30)  # inside the 2-minute margin
    qbo.save(update_fields=["access_expires_at"])

    period_export(connection_id=qbo.pk, date_from=shop.today, date_to=shop.today)

    qbo.refresh_from_db()
    assert fake_qbo.refresh_count == 1 and qbo.access_expires_at > timezone.now() + timedelta(minutes=50)
    assert [status for _, _, status in fake_qbo.answered if status == 401] == []


def test_throttled_429_is_retried_and_completes(qbo, fake_qbo, shop):
    fake_qbo.inject(
        "POST",
        "/salesreceipt",
        status=429,
        body={
            "Fault": {
                "Error": [
                    {"Message": "message=ThrottleExceeded; errorCode=003001; statusCode=429", "code": "3001"}
                ],
                "type": "SERVICE",
            }
        },
    )

    run = period_export(connection_id=qbo.pk, date_from=shop.today, date_to=shop.today)

    assert run.posted == 4 and len(fake_qbo.entities["SalesReceipt"]) == 2


def test_fault_is_recorded_on_the_log_and_nothing_is_marked_posted(qbo, fake_qbo, shop):
    account_mapping_set(connection=qbo, role="cogs", external_code="999")

    run = period_export(connection_id=qbo.pk, date_from=shop.today, date_to=shop.today)

    journals = ExportDocument.objects.filter(connection=qbo, kind="cogs_journal")
    assert {(d.status, d.external_id) for d in journals} == {(DocumentStatus.FAILED, "")}
    first = journals.get(source_key=f"cogs:order:{shop.order1.pk}")
    assert first.error.startswith("QuickBooks: 610 Object Not Found")
    assert first.response["Fault"]["type"] == "ValidationFault"
    assert fake_qbo.entities["JournalEntry"] == []
    assert (run.posted, run.failed) == (2, 2)


def test_requestid_replays_the_first_answer(qbo, fake_qbo, shop):
    from accounting_app.selectors.plan import connection_period_plan
    from accounting_app.services.connections import connection_exporter

    exporter = connection_exporter(connection=qbo)
    planned = connection_period_plan(
        connection=qbo, date_from=shop.today, date_to=shop.today, exporter_sales_kinds=exporter.sales_kinds
    )
    journal = next(p.document for p in planned if p.document.kind == "cogs_journal")

    first = exporter.document_create(document=journal, contact_id="", idempotency_key="same-request-id")
    second = exporter.document_create(document=journal, contact_id="", idempotency_key="same-request-id")

    assert first.external_id == second.external_id
    assert len(fake_qbo.entities["JournalEntry"]) == 1 and fake_qbo.replays == 1


def test_bill_and_vendor_credit_after_a_reversed_receipt(qbo, fake_qbo, shop):
    from inventory_app.services.purchasing.receiving import receipt_reverse

    receipt = shop.receive_po()
    period_export(connection_id=qbo.pk, date_from=shop.today, date_to=shop.today)
    receipt_reverse(receipt=receipt)
    period_export(connection_id=qbo.pk, date_from=shop.today, date_to=shop.today)

    (bill,) = fake_qbo.entities["Bill"]
    (credit,) = fake_qbo.entities["VendorCredit"]
    assert bill["TotalAmt"] == credit["TotalAmt"] == Decimal("39.00")
    assert (bill["DocNumber"], credit["DocNumber"]) == (f"SM-B{receipt.pk}", f"SM-B{receipt.pk}-R")
    assert bill["VendorRef"] == credit["VendorRef"] and bill["APAccountRef"] == {"value": "33"}
    assert [v["DisplayName"] for v in fake_qbo.entities["Vendor"]] == ["Acme Supplies"]
    assert "DueDate" not in credit


def test_token_expiring_mid_export_is_refreshed_and_the_export_completes(qbo, fake_qbo, shop):
    fake_qbo.expire_after_api_calls = 4

    run = period_export(connection_id=qbo.pk, date_from=shop.today, date_to=shop.today)

    assert run.posted == 4 and fake_qbo.refresh_count == 1
    assert len(fake_qbo.entities["SalesReceipt"]) == 2 and len(fake_qbo.entities["JournalEntry"]) == 2
    assert [s for _, _, s in fake_qbo.answered if s == 401] == [401]


def test_every_create_carries_the_documents_requestid(qbo, fake_qbo, shop):
    period_export(connection_id=qbo.pk, date_from=shop.today, date_to=shop.today)

    posts = [
        r
        for r in fake_qbo.requests
        if r.method == "POST" and r.path.endswith(("salesreceipt", "journalentry"))
    ]
    keys = {d.idempotency_key for d in ExportDocument.objects.filter(connection=qbo)}
    assert len(posts) == 4 and {r.query["requestid"] for r in posts} == keys
    assert all(len(key) <= 50 for key in keys)
