"""The fake Volusion store over HTTP: credentials, the store-wide export cursor, filtered
exports, imports and the /_fake/ controls."""

from __future__ import annotations

import pytest
import requests
from defusedxml.ElementTree import fromstring

from config.sandbox.volusion import FakeVolusion

ROW = "<Products><ProductCode>{}</ProductCode><StockStatus>{}</StockStatus></Products>"


@pytest.fixture
def fake():
    store = FakeVolusion().start()
    yield store
    store.stop()


def _call(fake, method="GET", body=b"", **params):
    auth = {"Login": fake.state.login, "EncryptedPassword": fake.state.encrypted_password}
    return requests.request(
        method, f"{fake.url}net/WebService.aspx", params={**auth, **params}, data=body, timeout=5
    )


def _orders(fake, **params) -> list[str]:
    answer = _call(fake, EDI_Name="Generic\\Orders", SELECT_Columns="o.OrderID", **params)
    return [o.findtext("OrderID") for o in fromstring(answer.content)]


def test_bad_credentials_get_200_and_an_empty_body(fake):
    answer = requests.get(
        f"{fake.url}net/WebService.aspx",
        params={"Login": fake.state.login, "EncryptedPassword": "00", "EDI_Name": "Generic\\Orders"},
        timeout=5,
    )

    assert (answer.status_code, answer.content) == (200, b"")


def test_the_unfiltered_export_walks_a_store_wide_cursor_100_at_a_time_until_reset(fake):
    fake.state.product_add("A", 500)
    for _ in range(150):
        fake.state.buy("A")

    batches = [_orders(fake) for _ in range(3)]
    filtered = _orders(fake, WHERE_Column="o.OrderStatus", WHERE_Value="new")
    requests.post(f"{fake.url}_fake/reset_export", json={"export": "Generic\\Orders"}, timeout=5)
    again = _orders(fake)

    assert [len(b) for b in batches] == [100, 50, 0]
    assert batches[0][:2] == ["1", "2"] and batches[1][-1] == "150"
    assert len(filtered) == 150  # filtered exports are re-usable and return every match
    assert again == batches[0]


def test_an_empty_export_answers_an_empty_xmldata(fake):
    assert (
        _call(fake, EDI_Name="Generic\\Orders").content
        == b'<?xml version="1.0" encoding="UTF-8"?>\n<xmldata />'
    )


def test_import_update_sets_stock_status_by_product_code(fake):
    fake.state.product_add("A", 1)
    body = (
        '<?xml version="1.0" encoding="utf-8"?><xmldata>'
        + ROW.format("A", 7)
        + ROW.format("Z", 3)
        + "</xmldata>"
    )

    answer = _call(fake, "POST", body.encode(), Import="Update")

    assert fake.state.products["A"].stock == 7
    assert "Z" not in fake.state.products  # Update never inserts
    assert [r.findtext("Success") for r in fromstring(answer.content)] == ["true", "false"]


def test_buy_and_quantities_controls_and_password_rotation(fake):
    fake.state.product_add("A", 1)
    old = fake.state.encrypted_password

    bought = requests.post(f"{fake.url}_fake/buy", json={"sku": "A", "quantity": 1}, timeout=5)
    refused = requests.post(f"{fake.url}_fake/buy", json={"sku": "A", "quantity": 1}, timeout=5)
    rotated = requests.post(f"{fake.url}_fake/rotate_password", timeout=5).json()["encrypted_password"]

    assert (bought.status_code, bought.json()) == (201, {"order_id": "1"})
    assert (refused.status_code, refused.json()) == (409, {"error": "out of stock"})
    assert requests.get(f"{fake.url}_fake/quantities", timeout=5).json() == {"A": 0}
    assert rotated != old and fake.state.encrypted_password == rotated
    answer = requests.get(
        f"{fake.url}net/WebService.aspx",
        params={"Login": fake.state.login, "EncryptedPassword": old, "EDI_Name": "Generic\\Orders"},
        timeout=5,
    )
    assert answer.content == b""


def test_other_paths_are_404(fake):
    assert requests.get(f"{fake.url}api/orders", timeout=5).status_code == 404
