"""Preview: what a connection would post for a period, without sending anything."""

from __future__ import annotations

from datetime import date

from accounting_app.exporters.dto import SalesDocument
from accounting_app.exporters.registry import exporter_build
from accounting_app.models import AccountingConnection, ExportDocument, ExternalContact
from accounting_app.selectors.plan import connection_period_plan


def connection_period_preview(
    *, connection: AccountingConnection, date_from: date, date_to: date
) -> list[dict]:
    """One row per planned document: key, kind, reference, date, amount, the status of an
    existing log entry ("new" if none), and the exact request body that would be sent (a contact
    not created yet shows as ``<contact:key>``). Raises MappingMissing for unmapped accounts."""
    from accounting_app.services.connections import connection_config

    exporter = exporter_build(kind=connection.kind, config=connection_config(connection=connection))
    planned = connection_period_plan(
        connection=connection, date_from=date_from, date_to=date_to, exporter_sales_kinds=exporter.sales_kinds
    )
    existing = {
        d.source_key: d
        for d in ExportDocument.objects.filter(
            connection=connection, source_key__in=[p.source_key for p in planned]
        )
    }
    contacts = dict(ExternalContact.objects.filter(connection=connection).values_list("key", "external_id"))
    rows = []
    for item in planned:
        dto = item.document
        contact_id = ""
        if isinstance(dto, SalesDocument):
            contact_id = contacts.get(dto.contact.key, f"<contact:{dto.contact.key}>")
        logged = existing.get(item.source_key)
        rows.append(
            {
                "source_key": item.source_key,
                "kind": dto.kind,
                "reference": dto.reference,
                "date": dto.date.isoformat(),
                "amount": str(item.amount),
                "status": logged.status if logged else "new",
                "external_id": logged.external_id if logged else "",
                "payload": exporter.document_payload(document=dto, contact_id=contact_id),
            }
        )
    return rows
