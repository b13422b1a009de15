"""The fake Rakuten web services on their own: parameters and versions checked, the two-day
window, acceptance states, 10 files an hour with asynchronous reports, control endpoints."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
from defusedxml.ElementTree import fromstring

from config.sandbox.amazon.clock import FakeClock
from config.sandbox.rakuten import FakeRakuten, RakutenState


@pytest.fixture
def fake():
    with FakeRakuten(state=RakutenState(clock=FakeClock(datetime(2026, 3, 18, 13, 0, tzinfo=UTC)))) as server:
        yield server


def _call(fake, service: str, action: str, version: str, **params):
    query = {"action": action, "login": "vendeur-pro", "pwd": fake.state.token, "version": version, **params}
    return fromstring(requests.get(f"{fake.base_url}/{service}", params=query, timeout=5).content)


def _upload(fake, content: bytes, **params):
    query = {"action": "genericimportfile", "login": "vendeur-pro", "pwd": fake.state.token}
    query |= {"version": "2015-02-02", **params}
    files = {"file": ("stock.xml", content, "text/xml")}
    return fromstring(
        requests.post(f"{fake.base_url}/stock_ws", params=query, files=files, timeout=5).content
    )


def _local(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _find(element, *path):
    for name in path:
        element = next(c for c in element if _local(c) == name)
    return element


FILE = (
    b"<?xml version='1.0' encoding='UTF-8'?><items><item><attributes><advert>"
    b"<attribute><key>sellerReference</key><value>A</value></attribute>"
    b"<attribute><key>qty</key><value>0</value></attribute></advert></attributes></item></items>"
)


def test_missing_login_and_unsupported_version_are_errorresponses(fake):
    answer = requests.get(f"{fake.base_url}/sales_ws", params={"action": "getnewsales"}, timeout=5)
    root = fromstring(answer.content)
    assert answer.status_code == 200
    assert (_local(root), _find(root, "error", "details", "detail").text) == (
        "errorresponse",
        "The parameter login is mandatory",
    )
    root = _call(fake, "sales_ws", "getnewsales", "2011-01-01")
    assert _find(root, "error", "details", "detail").text == "The version 2011-01-01 is not supported"


def test_a_sale_awaits_acceptance_two_days_then_is_cancelled(fake):
    fake.state.seed_advert("A", 2)
    sale = fake.state.buy("A", 1)
    assert fake.state.quantities() == {"A": 1}
    assert len(list(_find(_call(fake, "sales_ws", "getnewsales", "2017-08-07"), "response", "sales"))) == 1

    fake.advance(2 * 24 * 3600)

    assert len(list(_find(_call(fake, "sales_ws", "getnewsales", "2017-08-07"), "response", "sales"))) == 0
    assert sale.items[0].status == "CANCELLED"
    assert fake.state.quantities() == {"A": 2}


def test_an_item_is_answered_once(fake):
    fake.state.seed_advert("A", 1)
    item = fake.state.buy("A", 1).items[0]

    first = _call(fake, "sales_ws", "acceptsale", "2010-09-20", itemid=item.item_id)
    second = _call(fake, "sales_ws", "refusesale", "2010-09-20", itemid=item.item_id)

    assert _local(first) == "acceptsaleresult"
    assert _find(second, "error", "details", "detail").text.endswith("is not in a state allowing this action")
    assert (item.status, item.answers) == ("ACCEPTED", 1)


def test_a_file_is_applied_only_once_processed_and_reports_its_lines(fake):
    fake.state.seed_advert("A", 5)
    file_id = _find(_upload(fake, FILE), "response", "importid").text

    report = _call(fake, "stock_ws", "genericimportreport", "2017-02-10", fileid=file_id)
    assert _find(report, "response", "file", "status").text == "Reçu"
    assert fake.state.quantities() == {"A": 5}

    fake.advance(20)
    report = _call(fake, "stock_ws", "genericimportreport", "2017-02-10", fileid=file_id)

    assert _find(report, "response", "file", "status").text == "Traité"
    assert _find(report, "response", "product", "status").text == "OK"
    assert fake.state.quantities() == {"A": 0}


def test_the_eleventh_file_of_an_hour_gets_quota_exceeded(fake):
    for _ in range(10):
        _upload(fake, FILE)
    refused = _upload(fake, FILE)
    assert _find(refused, "error", "message").text == "Quota exceeded"
    assert fake.state.files_refused == 1
    fake.advance(3600)
    assert _local(_upload(fake, FILE)) == "importresult"


def test_purgeandreplace_is_recorded_as_a_violation(fake):
    _upload(fake, FILE, purgeandreplace="true")
    assert fake.state.purge_requested is True


def test_buy_and_quantities_control_endpoints(fake):
    fake.state.seed_advert("A", 1)

    bought = requests.post(f"{fake.base_url}/_fake/buy", json={"sku": "A", "quantity": 1}, timeout=5)
    again = requests.post(f"{fake.base_url}/_fake/buy", json={"sku": "A", "quantity": 1}, timeout=5)

    assert bought.status_code == 201 and bought.json()["order_id"] in fake.state.sales
    assert (again.status_code, again.json()) == (409, {"error": "out of stock"})
    assert requests.get(f"{fake.base_url}/_fake/quantities", timeout=5).json() == {"A": 0}
