"""Admin: the preview/export page and the export log's retry action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounting_app.models import (
    AccountingConnection,
    ConnectionStatus,
    DocumentStatus,
    ExportDocument,
    ExportRun,
)
from accounting_app.services.connections import account_mapping_set
from accounting_app.services.exports import period_export
from inventory_app.models import BackgroundJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def test_preview_page_lists_the_planned_documents(admin_client, xero, fake_xero, shop):
    url = reverse("admin:accounting_app_accountingconnection_preview", args=[xero.pk])

    response = admin_client.get(url, {"date_from": shop.today.isoformat(), "date_to": shop.today.isoformat()})

    assert response.status_code == 200
    assert f"SM-S{shop.order1.pk}" in response.content.decode() and "155.00" in response.content.decode()
    assert fake_xero.invoices == []


def test_export_button_posts_the_period_as_a_background_job(admin_client, xero, fake_xero, shop, on_commit):
    url = reverse("admin:accounting_app_accountingconnection_preview", args=[xero.pk])
    period = {"date_from": shop.today.isoformat(), "date_to": shop.today.isoformat()}

    with on_commit(execute=True):
        response = admin_client.post(url, period)
    job = BackgroundJob.objects.get()
    run = ExportRun.objects.get()

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:inventory_app_backgroundjob_change", args=[job.pk])
    assert len(fake_xero.invoices) == 2 and len(fake_xero.journals) == 2
    assert (job.kind, job.status, job.done, job.total) == ("accounting.export", "done", 4, 4)
    assert job.result == {"posted": 4, "already posted": 0, "failed": 0, "flagged": 0}
    assert job.summary == "Posted 4, already posted 0, failed 0."
    assert job.links == [["The export run", reverse("admin:accounting_app_exportrun_change", args=[run.pk])]]


def test_an_export_the_connection_refuses_fails_its_job_with_why(
    admin_client, xero, fake_xero, shop, on_commit
):
    AccountingConnection.objects.filter(pk=xero.pk).update(status=ConnectionStatus.NEEDS_RECONNECT)
    url = reverse("admin:accounting_app_accountingconnection_preview", args=[xero.pk])
    period = {"date_from": shop.today.isoformat(), "date_to": shop.today.isoformat()}

    with on_commit(execute=True):
        admin_client.post(url, period)
    job = BackgroundJob.objects.get()

    assert job.status == "failed"
    assert job.error == f"Refused: Connection {xero.name} is not connected (needs_reconnect)"
    assert fake_xero.invoices == []


def test_retry_action_posts_failed_documents_and_never_resends_posted_ones(
    admin_client, xero, fake_xero, shop, on_commit
):
    account_mapping_set(connection=xero, role="discounts", external_code="999")
    period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)
    failed = ExportDocument.objects.get(status=DocumentStatus.FAILED)
    posted = ExportDocument.objects.filter(status=DocumentStatus.POSTED).first()
    account_mapping_set(connection=xero, role="discounts", external_code="480")
    detail = admin_client.get(reverse("admin:accounting_app_exportdocument_change", args=[failed.pk]))
    assert "Account code &#x27;999&#x27; is not a valid code" in detail.content.decode()

    with on_commit(execute=True):
        response = admin_client.post(
            reverse("admin:accounting_app_exportdocument_changelist"),
            {"action": "retry", "_selected_action": [failed.pk, posted.pk]},
        )

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == DocumentStatus.POSTED and failed.attempts == 2
    assert len(fake_xero.invoices) == 2


def test_without_tax_mappings_the_pages_say_what_to_map_and_the_export_button_sends_nothing(
    admin_client, fake_xero, shop, on_commit
):
    from tests.accounting_app.scenario import XERO_ACCOUNTS, connect, connection_make

    connection = connect(
        connection_make(kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS, taxes={}), fake_xero
    )
    preview = reverse("admin:accounting_app_accountingconnection_preview", args=[connection.pk])
    period = {"date_from": shop.today.isoformat(), "date_to": shop.today.isoformat()}

    change = admin_client.get(
        reverse("admin:accounting_app_accountingconnection_change", args=[connection.pk])
    )
    with on_commit(execute=True):
        refused = admin_client.post(preview, period, follow=True)

    wanted = "add a tax mapping of kind &#x27;sales&#x27; for every channel with the Xero TaxType"
    assert wanted in change.content.decode()
    assert "Not exported: No sales tax mapping" in refused.content.decode()
    assert fake_xero.invoices == [] and fake_xero.calls.get("PUT /api.xro/2.0/Contacts", 0) == 0


def test_a_flagged_document_shows_both_totals_in_the_log(admin_client, xero, fake_xero, shop):
    from accounting_app.models import TotalCheck
    from accounting_app.services.connections import tax_mapping_set

    tax_mapping_set(connection=xero, kind="sales", external_code="OUTPUT")
    period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)
    flagged = ExportDocument.objects.get(source_key=f"sales:order:{shop.order1.pk}")

    listing = admin_client.get(
        reverse("admin:accounting_app_exportdocument_changelist"), {"total_check__exact": TotalCheck.DIFFERS}
    ).content.decode()
    detail = admin_client.get(reverse("admin:accounting_app_exportdocument_change", args=[flagged.pk]))

    assert flagged.reference in listing and "DIFFERS from ours (flagged)" in listing
    assert f"SM-S{shop.order2.pk}" in listing and f"SM-C{shop.order1.pk}" not in listing
    page = detail.content.decode()
    assert "155.00" in page and "170.50" in page
