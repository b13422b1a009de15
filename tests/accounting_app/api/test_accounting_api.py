"""REST API: connections without secrets, preview, export and retry (enqueued after commit)."""

from __future__ import annotations

import pytest

from accounting_app.models import DocumentStatus, ExportDocument
from tests.helpers import field_errors

pytestmark = pytest.mark.django_db


def test_connections_list_shows_no_secret(api_client, xero):
    response = api_client("viewer").get("/api/v1/accounting/connections/")

    assert response.status_code == 200
    (row,) = response.json()["results"] if "results" in response.json() else response.json()
    assert row["tenant_id"] == xero.tenant_id and row["status"] == "connected"
    assert "secrets_encrypted" not in row and "client_id" not in row and "token" not in str(row).lower()


def test_preview_shows_the_bodies_that_would_be_sent_and_sends_nothing(api_client, xero, fake_xero, shop):
    response = api_client("viewer").get(
        f"/api/v1/accounting/connections/{xero.pk}/preview/",
        {"date_from": shop.today.isoformat(), "date_to": shop.today.isoformat()},
    )

    assert response.status_code == 200
    rows = {row["reference"]: row for row in response.json()}
    assert sorted(rows) == sorted(
        [f"SM-S{shop.order1.pk}", f"SM-S{shop.order2.pk}", f"SM-C{shop.order1.pk}", f"SM-C{shop.order2.pk}"]
    )
    sale = rows[f"SM-S{shop.order1.pk}"]
    assert (sale["status"], sale["amount"]) == ("new", "155.00")
    assert sale["payload"]["Invoices"][0]["Contact"] == {"ContactID": f"<contact:channel:{shop.channel.pk}>"}
    assert rows[f"SM-C{shop.order1.pk}"]["payload"]["ManualJournals"][0]["JournalLines"][-1] == {
        "LineAmount": -33.5,
        "AccountCode": "630",
        "Description": "Inventory",
    }
    assert not any(call.startswith("PUT") for call in fake_xero.calls) and fake_xero.invoices == []
    assert not ExportDocument.objects.exists()


def test_preview_names_an_unmapped_account(api_client, xero, shop):
    xero.mappings.filter(role="cogs").delete()

    response = api_client("viewer").get(
        f"/api/v1/accounting/connections/{xero.pk}/preview/",
        {"date_from": shop.today.isoformat(), "date_to": shop.today.isoformat()},
    )

    assert response.status_code == 400
    assert "No account is mapped for 'cogs'" in str(response.json())


def test_export_needs_the_manager_role_and_posts_after_commit(api_client, xero, fake_xero, shop, on_commit):
    period = {"date_from": shop.today.isoformat(), "date_to": shop.today.isoformat()}
    assert (
        api_client("operator").post(f"/api/v1/accounting/connections/{xero.pk}/export/", period).status_code
        == 403
    )

    with on_commit(execute=True):
        response = api_client("manager").post(f"/api/v1/accounting/connections/{xero.pk}/export/", period)

    assert response.status_code == 202
    assert ExportDocument.objects.filter(status=DocumentStatus.POSTED).count() == 4
    assert len(fake_xero.invoices) == 2


def test_retry_of_a_posted_document_is_refused(api_client, xero, fake_xero, shop):
    from accounting_app.services.exports import period_export

    period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)
    document = ExportDocument.objects.filter(connection=xero).first()

    response = api_client("operator").post(f"/api/v1/accounting/documents/{document.pk}/retry/")

    assert response.status_code == 409 and len(fake_xero.invoices) == 2


def test_documents_list_filters_by_status(api_client, xero, fake_xero, shop):
    from accounting_app.services.connections import account_mapping_set
    from accounting_app.services.exports import period_export

    account_mapping_set(connection=xero, role="sales_income", external_code="999")
    period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)

    body = api_client("viewer").get("/api/v1/accounting/documents/", {"status": "failed"}).json()

    rows = body["results"] if isinstance(body, dict) else body
    assert sorted(r["reference"] for r in rows) == sorted([f"SM-S{shop.order1.pk}", f"SM-S{shop.order2.pk}"])
    assert rows[0]["response"]["Type"] == "ValidationException" and rows[0]["external_id"] == ""


def test_export_is_refused_with_what_to_map_while_a_tax_mapping_is_missing(api_client, xero, fake_xero, shop):
    from accounting_app.models import TaxMapping

    TaxMapping.objects.filter(connection=xero, kind="purchases").delete()
    period = {"date_from": shop.today.isoformat(), "date_to": shop.today.isoformat()}

    response = api_client("manager").post(f"/api/v1/accounting/connections/{xero.pk}/export/", period)

    assert response.status_code == 400
    (message,) = field_errors(response)["mapping"]
    assert message.startswith(
        "No purchases tax mapping on connection 'Books (xero)': add a tax mapping of kind"
    )
    assert not any(call.startswith("PUT") for call in fake_xero.calls)
