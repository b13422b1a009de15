"""The provider registry: ``@provider_register`` fills it when provider modules are imported.

``ShippingAppConfig.ready()`` imports ``settings.SHIPPING_PROVIDER_MODULES`` (default: the three
bundled vendors), so every registered kind is known before the first request.
"""

from __future__ import annotations

from channels_app.connectors.kinds import KindRegistry
from shipping_app.providers.base import ShippingProvider
from shipping_app.providers.dto import ProviderConfig


class UnknownProvider(KeyError):
    """No provider is registered under this kind."""


_REGISTRY: KindRegistry[type[ShippingProvider]] = KindRegistry(noun="Provider", unknown=UnknownProvider)


def provider_register(cls: type[ShippingProvider]) -> type[ShippingProvider]:
    """Class decorator: register ``cls`` under ``cls.kind`` (a second class for a kind is refused)."""
    return _REGISTRY.register(cls)


def provider_class(kind: str) -> type[ShippingProvider]:
    """The class registered under ``kind``; raises UnknownProvider."""
    return _REGISTRY.get(kind)


def provider_kinds() -> list[tuple[str, str]]:
    """(kind, label) of every registered provider, sorted, for choice fields."""
    return sorted((kind, cls.label or kind) for kind, cls in _REGISTRY.classes().items())


def provider_build(*, kind: str, config: ProviderConfig) -> ShippingProvider:
    """A provider instance of ``kind`` for one account."""
    return provider_class(kind)(config=config)
