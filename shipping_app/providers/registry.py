"""The provider registry: ``@provider_register`` fills it when provider modules are imported.

``ShippingAppConfig.ready()`` imports ``settings.SHIPPING_PROVIDER_MODULES`` (default: the three
bundled vendors), so every registered kind is known before the first request.
"""

from __future__ import annotations

from shipping_app.providers.base import ShippingProvider
from shipping_app.providers.dto import ProviderConfig

_REGISTRY: dict[str, type[ShippingProvider]] = {}


class UnknownProvider(KeyError):
    """No provider is registered under this kind."""


def provider_register(cls: type[ShippingProvider]) -> type[ShippingProvider]:
    """Class decorator: register ``cls`` under ``cls.kind`` (a second class for a kind is refused)."""
    if not cls.kind:
        raise ValueError(f"{cls.__name__} has no kind")
    existing = _REGISTRY.get(cls.kind)
    if existing is not None and existing is not cls:
        raise ValueError(f"Provider kind {cls.kind!r} is already registered by {existing.__name__}")
    _REGISTRY[cls.kind] = cls
    return cls


def provider_class(kind: str) -> type[ShippingProvider]:
    """The class registered under ``kind``; raises UnknownProvider."""
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise UnknownProvider(kind) from None


def provider_kinds() -> list[tuple[str, str]]:
    """(kind, label) of every registered provider, sorted, for choice fields."""
    return sorted((kind, cls.label or kind) for kind, cls in _REGISTRY.items())


def provider_build(*, kind: str, config: ProviderConfig) -> ShippingProvider:
    """A provider instance of ``kind`` for one account."""
    return provider_class(kind)(config=config)
