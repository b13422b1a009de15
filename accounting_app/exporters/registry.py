"""The exporter registry: ``@exporter_register`` fills it when the vendor modules are imported
from ``AccountingAppConfig.ready()`` (``settings.ACCOUNTING_EXPORTER_MODULES`` or the default
list), so registration happens once per process."""

from __future__ import annotations

from accounting_app.exporters.base import AccountingExporter, TokenProvider
from accounting_app.exporters.dto import ConnectionConfig

DEFAULT_MODULES = (
    "accounting_app.exporters.xero.exporter",
    "accounting_app.exporters.quickbooks.exporter",
)

_registry: dict[str, type[AccountingExporter]] = {}


class UnknownExporter(LookupError):
    """No exporter is registered under that kind."""


def exporter_register(cls: type[AccountingExporter]) -> type[AccountingExporter]:
    """Class decorator: register an exporter under its ``kind`` (a clash is an error)."""
    if not cls.kind:
        raise ValueError(f"{cls.__name__} has no kind")
    existing = _registry.get(cls.kind)
    if existing is not None and existing is not cls:
        raise ValueError(f"Exporter kind {cls.kind!r} is already registered by {existing.__name__}")
    _registry[cls.kind] = cls
    return cls


def exporter_class_get(*, kind: str) -> type[AccountingExporter]:
    """The exporter class registered under ``kind``; raises UnknownExporter."""
    try:
        return _registry[kind]
    except KeyError:
        raise UnknownExporter(f"No accounting exporter of kind {kind!r}") from None


def exporter_kinds() -> list[str]:
    """Every registered kind, sorted."""
    return sorted(_registry)


def exporter_build(
    *, kind: str, config: ConnectionConfig, tokens: TokenProvider | None = None
) -> AccountingExporter:
    """Instantiate the exporter of ``kind``."""
    return exporter_class_get(kind=kind)(config=config, tokens=tokens)
