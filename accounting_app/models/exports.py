"""The export log: every document we post, exactly once, and every export run.

An :class:`ExportDocument` is created (status ``pending``) before anything is sent, keyed by
(connection, ``source_key``): the same sale, journal or bill always has the same key, reference
and, until the vendor refuses it, the same idempotency key. The posting service records the
external id in the same transaction as ``posted``; a document found ``posting`` (a worker died
after sending) is looked up at the vendor by its reference before anything is sent again.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models


class DocumentKind(models.TextChoices):
    """What a document is, in our words."""

    SALES_INVOICE = "sales_invoice", "Sales invoice"
    SALES_RECEIPT = "sales_receipt", "Sales receipt"
    COGS_JOURNAL = "cogs_journal", "COGS journal"
    BILL = "bill", "Purchase bill"
    BILL_CREDIT = "bill_credit", "Supplier credit (receipt reversed)"
    ADJUSTMENT_JOURNAL = "adjustment_journal", "Inventory adjustment journal"


class DocumentStatus(models.TextChoices):
    """Life of a document at the vendor."""

    PENDING = "pending", "Pending"
    POSTING = "posting", "Sent, answer not recorded yet"
    POSTED = "posted", "Posted"
    FAILED = "failed", "Failed (see error)"


class TotalCheck(models.TextChoices):
    """Whether the vendor's total of a posted document, read back after posting, equals ours."""

    PENDING = "pending", "Not read back yet"
    MATCHES = "matches", "Matches ours"
    DIFFERS = "differs", "DIFFERS from ours (flagged)"


class ExportRun(models.Model):
    """One export of a period for one connection (scheduled, manual or a retry)."""

    connection = models.ForeignKey(
        "accounting_app.AccountingConnection", on_delete=models.CASCADE, related_name="runs"
    )
    date_from = models.DateField()
    date_to = models.DateField()
    trigger = models.CharField(max_length=16, default="manual")
    posted = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0, help_text="Already posted before this run.")
    failed = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(
        default=0, help_text="Posted documents whose total at the vendor differs from ours."
    )
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"run {self.pk}: {self.date_from}..{self.date_to}"


class ExportDocument(models.Model):
    """One document for the books: what we sent, what the vendor answered, its external id."""

    connection = models.ForeignKey(
        "accounting_app.AccountingConnection", on_delete=models.PROTECT, related_name="documents"
    )
    run = models.ForeignKey(
        ExportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    source_key = models.CharField(max_length=128, help_text="What it posts, e.g. cogs:order:42.")
    reference = models.CharField(max_length=21, help_text="Our reference at the vendor (DocNumber).")
    document_date = models.DateField()
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    status = models.CharField(
        max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.PENDING, db_index=True
    )
    idempotency_key = models.CharField(max_length=64, default="")
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text="The posted document this adjustment corrects.",
    )
    payload = models.JSONField(default=dict, blank=True, help_text="The request body last sent.")
    response = models.JSONField(default=dict, blank=True, help_text="The vendor's last answer.")
    error = models.TextField(blank=True)
    external_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    recovered = models.BooleanField(
        default=False, help_text="Found at the vendor by its reference after an interrupted post."
    )
    total_check = models.CharField(
        max_length=8, choices=TotalCheck.choices, default=TotalCheck.PENDING, db_index=True
    )
    expected_total = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, help_text="Our total of the document."
    )
    vendor_total = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The total read back from the vendor.",
    )
    posted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "source_key"], name="export_document_source_unique"
            ),
            models.UniqueConstraint(
                fields=["connection", "reference"], name="export_document_reference_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="export_document_updated_idx")
        ]  # incremental sync (updated_after, cursor)

    def __str__(self) -> str:
        return f"{self.reference} ({self.kind}, {self.status})"

    @staticmethod
    def new_idempotency_key() -> str:
        """A fresh key for the vendor's idempotency (Xero Idempotency-Key, QuickBooks requestid)."""
        return uuid.uuid4().hex
