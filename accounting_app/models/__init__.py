"""Models of the accounting integrations."""

from accounting_app.models.connections import (
    AccountingConnection,
    AccountMapping,
    AccountRole,
    CogsMode,
    ConnectionStatus,
    CustomerMode,
    ExternalContact,
    SalesMode,
    TaxKind,
    TaxMapping,
)
from accounting_app.models.exports import DocumentKind, DocumentStatus, ExportDocument, ExportRun, TotalCheck

__all__ = [
    "AccountMapping",
    "AccountRole",
    "AccountingConnection",
    "CogsMode",
    "ConnectionStatus",
    "CustomerMode",
    "DocumentKind",
    "DocumentStatus",
    "ExportDocument",
    "ExportRun",
    "ExternalContact",
    "SalesMode",
    "TaxKind",
    "TaxMapping",
    "TotalCheck",
]
