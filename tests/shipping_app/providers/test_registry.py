"""The provider registry: filled at start-up, one class per kind."""

from __future__ import annotations

import pytest

from config.integrations.registry import UnknownKind
from shipping_app.providers.base import ShippingProvider
from shipping_app.providers.registry import provider_choices, provider_class_get, provider_register
from shipping_app.providers.shipstation.provider import ShipStationProvider


def test_the_bundled_providers_are_registered_by_app_ready():
    assert provider_choices() == [
        ("shippingeasy", "ShippingEasy"),
        ("shippo", "Shippo"),
        ("shipstation", "ShipStation"),
    ]
    assert provider_class_get(kind="shipstation") is ShipStationProvider


def test_a_second_class_for_a_kind_and_an_unknown_kind_are_refused():
    class Impostor(ShippingProvider):
        kind = "shipstation"

    with pytest.raises(ValueError, match="already registered"):
        provider_register(Impostor)
    with pytest.raises(UnknownKind, match="No shipping provider of kind 'fedex-direct'"):
        provider_class_get(kind="fedex-direct")
