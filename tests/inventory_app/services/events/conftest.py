"""Shared set-up of the event tests: loopback webhooks allowed, a catalog with a kit."""

from __future__ import annotations

import base64
import hashlib
import hmac

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


def signature_valid(*, secret: str, delivery: dict) -> bool:
    """The documented check, written out as a receiver would (not with our signing module)."""
    headers = delivery["headers"]
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['Webhook-Id']}.{headers['Webhook-Timestamp']}.".encode() + delivery["raw"]
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, given) for given in headers["Webhook-Signature"].split())
