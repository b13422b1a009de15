"""The provider registry: filled at start-up, one class per kind."""

from __future__ import annotations

import pytest

from shipping_app.providers.base import ShippingProvider
from shipping_app.providers.registry import UnknownProvider, provider_class, provider_kinds, provider_register
from shipping_app.providers.shipstation.provider import ShipStationProvider


def test_the_bundled_providers_are_registered_by_app_ready():
    assert provider_kinds() == [
        ("shippingeasy", "ShippingEasy"),
        ("shippo", "Shippo"),
        ("shipstation", "ShipStation"),
    ]
    assert provider_class("shipstation") is ShipStationProvider


def test_a_second_class_for_a_kind_and_an_unknown_kind_are_refused():
    class Impostor(ShippingProvider):
        kind = "shipstation"

    with pytest.raises(ValueError, match="already registered"):
        provider_register(Impostor)
    with pytest.raises(UnknownProvider):
        provider_class("fedex-direct")
