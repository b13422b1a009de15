"""Posting one planned document exactly once.

1. *Claim* (one transaction, row lock): get or create the :class:`ExportDocument` of
   (connection, source key). A posted document is skipped. Otherwise it becomes ``posting``
   (attempts + 1) and keeps its idempotency key.
2. *Look up* the document at the vendor by our reference. Found (a previous attempt was accepted
   but its answer never recorded: crash, dropped connection, killed worker): record it as posted
   (``recovered``) without sending anything.
3. *Create* with the document's idempotency key (Xero Idempotency-Key, QuickBooks requestid): a
   repeat of a request the vendor already processed returns the first answer.
4. *Record* the external id and answer as ``posted`` in one transaction.
5. *Check* (posted or recovered): read the document back and compare the vendor's total with
   ours to the cent. A difference (e.g. the vendor added a default tax) flags the document
   (``total_check`` = differs, both totals kept, an error saying so); a read-back that fails
   leaves it ``pending``, and the next run of the connection checks it again.

A validation refusal marks the document ``failed`` with the vendor's body and gives it a fresh
idempotency key (nothing was created; the next attempt is a new request). A transient failure
leaves it ``posting`` (outcome unknown) and re-raises, so the run stops and is retried later.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounting_app.exporters.base import AccountingExporter
from accounting_app.exporters.dto import ContactRef, SalesDocument
from accounting_app.exporters.errors import AuthorizationError, ExporterError, RetryableError
from accounting_app.models import (
    AccountingConnection,
    DocumentStatus,
    ExportDocument,
    ExportRun,
    ExternalContact,
    TotalCheck,
)
from accounting_app.selectors.planned import PlannedDocument


def _contact_id(
    *, connection: AccountingConnection, exporter: AccountingExporter, contact: ContactRef
) -> str:
    cached = ExternalContact.objects.filter(connection=connection, key=contact.key).first()
    if cached is not None:
        return cached.external_id
    external_id = exporter.contact_find_or_create(contact=contact)
    ExternalContact.objects.get_or_create(
        connection=connection, key=contact.key, defaults={"name": contact.name, "external_id": external_id}
    )
    return external_id


def _update(document: ExportDocument, **fields: object) -> None:
    for name, value in fields.items():
        setattr(document, name, value)
    document.save(update_fields=[*fields, "updated_at"])


def document_total_check(
    *, connection: AccountingConnection, exporter: AccountingExporter, document: ExportDocument
) -> None:
    """Read a posted document back and record whether the vendor's total equals ours
    (``expected_total``, set when the document was claimed).

    A failed read leaves the check ``pending`` (the next run checks again) and is not raised,
    except an AuthorizationError (the run stops).
    """
    try:
        vendor_total = exporter.document_total(kind=document.kind, external_id=document.external_id)
    except AuthorizationError:
        raise
    except ExporterError:
        return
    if vendor_total == document.expected_total:
        _update(document, total_check=TotalCheck.MATCHES, vendor_total=vendor_total)
        return
    problem = (
        f"{document.reference} is posted at {exporter.label} for {vendor_total} but totals "
        f"{document.expected_total} here: the vendor added tax or rounding of its own (check the tax "
        "mappings); correct the document there"
    )
    _update(document, total_check=TotalCheck.DIFFERS, vendor_total=vendor_total, error=problem)
    AccountingConnection.objects.filter(pk=connection.pk).update(last_error=problem)


def document_post(
    *,
    connection: AccountingConnection,
    exporter: AccountingExporter,
    planned: PlannedDocument,
    run: ExportRun | None = None,
) -> tuple[ExportDocument, bool]:
    """Post ``planned`` unless it is posted already; return (document, posted by this call).

    Raises RetryableError / AuthorizationError after recording them (the caller stops the run).
    A ValidationRejected / ExporterError is recorded on the document and not raised.
    """
    dto = planned.document
    with transaction.atomic():
        corrects = None
        if planned.corrects_key:
            corrects = ExportDocument.objects.filter(
                connection=connection, source_key=planned.corrects_key
            ).first()
        document, _ = ExportDocument.objects.select_for_update().get_or_create(
            connection=connection,
            source_key=planned.source_key,
            defaults={
                "kind": dto.kind,
                "reference": dto.reference,
                "document_date": dto.date,
                "amount": planned.amount,
                "idempotency_key": ExportDocument.new_idempotency_key(),
                "corrects": corrects,
            },
        )
        posted_before = document.status == DocumentStatus.POSTED
        if not posted_before:
            _update(
                document,
                status=DocumentStatus.POSTING,
                attempts=document.attempts + 1,
                run=run,
                amount=planned.amount,
                document_date=dto.date,
                expected_total=dto.total,
                error="",
            )
    if posted_before:
        if document.expected_total is None:  # posted before totals were checked: check it now
            _update(document, expected_total=dto.total)
        return document, False
    try:
        found = exporter.document_find(document=dto)
        if found is not None:
            with transaction.atomic():
                _update(
                    document,
                    status=DocumentStatus.POSTED,
                    external_id=found.external_id,
                    response=found.response,
                    recovered=True,
                    posted_at=timezone.now(),
                )
            document_total_check(connection=connection, exporter=exporter, document=document)
            return document, True
        contact_id = ""
        if isinstance(dto, SalesDocument):
            contact_id = _contact_id(connection=connection, exporter=exporter, contact=dto.contact)
        _update(document, payload=exporter.document_payload(document=dto, contact_id=contact_id))
        result = exporter.document_create(
            document=dto, contact_id=contact_id, idempotency_key=document.idempotency_key
        )
    except RetryableError as exc:
        _update(document, error=str(exc), response=exc.body)
        raise
    except AuthorizationError as exc:
        _update(document, status=DocumentStatus.FAILED, error=str(exc), response=exc.body)
        raise
    except ExporterError as exc:
        _update(
            document,
            status=DocumentStatus.FAILED,
            error=str(exc),
            response=exc.body,
            idempotency_key=ExportDocument.new_idempotency_key(),
        )
        return document, False
    with transaction.atomic():
        _update(
            document,
            status=DocumentStatus.POSTED,
            external_id=result.external_id,
            response=result.response,
            posted_at=timezone.now(),
        )
    document_total_check(connection=connection, exporter=exporter, document=document)
    return document, True
