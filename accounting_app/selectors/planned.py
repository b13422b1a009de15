"""The planned-document value and our references."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from accounting_app.exporters.dto import Document
from accounting_app.models import AccountingConnection


@dataclass(frozen=True)
class PlannedDocument:
    """A document to post: our stable key, the DTO, its amount and what it corrects.

    ``amount``: the sale's total, the bill's total, the journal's debits; for COGS journals the
    signed COGS it adds (negative for an adjustment that takes COGS back).
    """

    source_key: str
    document: Document
    amount: Decimal
    corrects_key: str = ""


def reference_make(connection: AccountingConnection, code: str) -> str:
    """Our reference at the vendor: ``<prefix>-<code>``, at most 21 characters (QuickBooks DocNumber)."""
    reference = f"{connection.reference_prefix}-{code}"
    if len(reference) > 21:
        raise ValueError(f"Reference {reference!r} is longer than 21 characters")
    return reference
