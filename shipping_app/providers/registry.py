"""The provider registry: ``@provider_register`` fills it when provider modules are imported.

``ShippingAppConfig.ready()`` imports ``settings.SHIPPING_PROVIDER_MODULES`` (default: the three
bundled vendors), so every registered kind is known before the first request.
"""

from __future__ import annotations

from config.integrations.registry import Registry, UnknownKind  # noqa: F401 - UnknownKind re-exported
from shipping_app.providers.base import ShippingProvider
from shipping_app.providers.dto import ProviderConfig

PROVIDERS: Registry[type[ShippingProvider]] = Registry(noun="shipping provider")

# Class decorator: register a provider under its ``kind`` (a kind clash is a ValueError).
provider_register = PROVIDERS.register
# ``provider_class_get(kind=...)``: the class registered under ``kind``; raises UnknownKind.
provider_class_get = PROVIDERS.get
# Every registered kind, sorted.
provider_kinds = PROVIDERS.kinds
# (kind, label) of every registered provider, for choice fields.
provider_choices = PROVIDERS.choices


def provider_build(*, kind: str, config: ProviderConfig) -> ShippingProvider:
    """A provider instance of ``kind`` for one account."""
    return provider_class_get(kind=kind)(config=config)
