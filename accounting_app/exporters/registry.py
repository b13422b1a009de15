"""The exporter registry: ``@exporter_register`` fills it when the vendor modules are imported
from ``AccountingAppConfig.ready()`` (``settings.ACCOUNTING_EXPORTER_MODULES`` or the default
list), so registration happens once per process."""

from __future__ import annotations

from accounting_app.exporters.base import AccountingExporter, TokenProvider
from accounting_app.exporters.dto import ConnectionConfig
from channels_app.connectors.kinds import KindRegistry

DEFAULT_MODULES = (
    "accounting_app.exporters.xero.exporter",
    "accounting_app.exporters.quickbooks.exporter",
)


class UnknownExporter(LookupError):
    """No exporter is registered under that kind."""


_registry: KindRegistry[type[AccountingExporter]] = KindRegistry(
    noun="Exporter", unknown=lambda kind: UnknownExporter(f"No accounting exporter of kind {kind!r}")
)


def exporter_register(cls: type[AccountingExporter]) -> type[AccountingExporter]:
    """Class decorator: register an exporter under its ``kind`` (a clash is an error)."""
    return _registry.register(cls)


def exporter_class_get(*, kind: str) -> type[AccountingExporter]:
    """The exporter class registered under ``kind``; raises UnknownExporter."""
    return _registry.get(kind)


def exporter_kinds() -> list[str]:
    """Every registered kind, sorted."""
    return _registry.kinds()


def exporter_build(
    *, kind: str, config: ConnectionConfig, tokens: TokenProvider | None = None
) -> AccountingExporter:
    """Instantiate the exporter of ``kind``."""
    return exporter_class_get(kind=kind)(config=config, tokens=tokens)
