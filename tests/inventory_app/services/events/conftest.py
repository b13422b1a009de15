"""Shared set-up of the event tests: loopback webhooks allowed, a catalog with a kit."""

from __future__ import annotations

import pytest

from tests.factories import KitComponentFactory, KitFactory, LocationFactory, SKUFactory


@pytest.fixture(autouse=True)
def _loopback_webhooks(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture
def catalog(db):
    """SHEET and CASE, the kit BEDSET = 2 SHEET + 1 CASE, one sellable location."""
    sheet, case = SKUFactory(code="SHEET"), SKUFactory(code="CASE")
    bedset = KitFactory(code="BEDSET")
    KitComponentFactory(kit=bedset, component=sheet, quantity=2)
    KitComponentFactory(kit=bedset, component=case, quantity=1)
    return {"sheet": sheet, "case": case, "bedset": bedset, "location": LocationFactory(code="WH1")}
