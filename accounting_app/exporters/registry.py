"""The exporter registry: ``@exporter_register`` fills it when the vendor modules are imported
from ``AccountingAppConfig.ready()`` (``settings.ACCOUNTING_EXPORTER_MODULES``), so registration
happens once per process."""

from __future__ import annotations

from accounting_app.exporters.base import AccountingExporter, TokenProvider
from accounting_app.exporters.dto import ConnectionConfig
from config.integrations.registry import Registry, UnknownKind  # noqa: F401 - UnknownKind re-exported

EXPORTERS: Registry[type[AccountingExporter]] = Registry(noun="accounting exporter")

# Class decorator: register an exporter under its ``kind`` (a kind clash is a ValueError).
exporter_register = EXPORTERS.register
# ``exporter_class_get(kind=...)``: the class registered under ``kind``; raises UnknownKind.
exporter_class_get = EXPORTERS.get
# Every registered kind, sorted.
exporter_kinds = EXPORTERS.kinds


def exporter_build(
    *, kind: str, config: ConnectionConfig, tokens: TokenProvider | None = None
) -> AccountingExporter:
    """Instantiate the exporter of ``kind``."""
    return exporter_class_get(kind=kind)(config=config, tokens=tokens)
