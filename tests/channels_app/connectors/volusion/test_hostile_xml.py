"""A hostile answer from the store (entity expansion, external DTD, oversize) is refused: the
connector raises, nothing is fetched from the DTD's URL, no order or figure is taken from it."""

from __future__ import annotations

import pytest

from channels_app.connectors.dto import ListingRef
from channels_app.connectors.volusion import client as volusion_client
from channels_app.connectors.xmlsafe import UnsafeXml
from config.sandbox.volusion import FakeVolusion
from tests.channels_app.connectors.test_xmlsafe import BILLION_LAUGHS, EXTERNAL_ENTITY, external_dtd

pytestmark = pytest.mark.django_db


@pytest.fixture
def dtd_host():
    """Another fake store: the external DTD's URL points at it, so a fetch would be seen."""
    fake = FakeVolusion().start()
    yield fake
    fake.stop()


@pytest.mark.parametrize("kind", ["billion laughs", "external entity", "external dtd"])
def test_a_hostile_orders_answer_is_refused(kind, fake_volusion, volusion_connector, dtd_host):
    body = {
        "billion laughs": BILLION_LAUGHS,
        "external entity": EXTERNAL_ENTITY,
        "external dtd": external_dtd(f"{dtd_host.url}net/WebService.aspx?EDI_Name=Generic%5COrders"),
    }[kind]
    fake_volusion.answer_next(body)

    with pytest.raises(UnsafeXml, match="Volusion Generic\\\\Orders export was refused"):
        volusion_connector().orders_fetch_changed(since=None, cursor=None)

    assert dtd_host.calls == []


def test_an_oversize_answer_is_refused(fake_volusion, volusion_connector):
    fake_volusion.state.product_add("TOWEL", 5)
    row = b"<Products><ProductCode>TOWEL</ProductCode></Products>"
    body = b"<xmldata>" + row * (volusion_client.MAX_ANSWER_BYTES // len(row) + 1) + b"</xmldata>"
    fake_volusion.answer_next(body)

    with pytest.raises(UnsafeXml, match=f"is {len(body)} bytes, more than the 20971520 accepted"):
        volusion_connector().quantities_fetch(listings=[ListingRef(external_id="TOWEL")])
