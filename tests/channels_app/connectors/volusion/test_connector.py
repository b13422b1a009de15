"""The Volusion connector against the fake store: exports, imports, re-reads, tracking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from channels_app.connectors.dto import FulfilmentDTO, ListingRef, QuantityUpdate
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.registry import connector_class_get
from channels_app.connectors.volusion.client import EXPIRED, CredentialsExpired

pytestmark = pytest.mark.django_db


def _update(code: str, quantity: int, *, parent: str = "") -> QuantityUpdate:
    ref = ListingRef(external_id=code, external_product_id=parent)
    return QuantityUpdate(listing=ref, quantity=quantity, expected=None, idempotency_key=f"k-{code}")


def test_push_imports_absolute_figures_in_one_call_and_confirms_them_by_a_re_read(
    fake_volusion, volusion_connector
):
    fake_volusion.state.product_add("SHEET", 0)
    fake_volusion.state.product_add("SHEET-S", 0, parent="SHEET")
    fake_volusion.state.product_add("SHEET-L", 0, parent="SHEET")
    fake_volusion.state.product_add("TOWEL", 9)

    results = volusion_connector().quantities_push(
        updates=[
            _update("SHEET-S", 4, parent="SHEET"),
            _update("SHEET-L", 0, parent="SHEET"),
            _update("TOWEL", 2),
        ]
    )

    assert sorted((r.external_id, r.outcome, r.observed) for r in results) == [
        ("SHEET-L", "ok", 0),
        ("SHEET-S", "ok", 4),
        ("TOWEL", "ok", 2),
    ]
    assert fake_volusion.state.quantities() == {"SHEET": 0, "SHEET-S": 4, "SHEET-L": 0, "TOWEL": 2}
    # one import, then one filtered re-read per parent and one per standalone product
    assert [c[1:] for c in fake_volusion.calls] == [
        ("Import=Update", ""),
        ("Generic\\Products", "SHEET"),
        ("Generic\\Products", "TOWEL"),
    ]
    assert fake_volusion.state.exported["Products"] == set()  # the store-wide cursor is untouched


def test_push_sends_the_documented_import_request(fake_volusion, volusion_connector):
    fake_volusion.state.product_add("A&B", 1)

    volusion_connector().quantities_push(updates=[_update("A&B", 3)])

    body = fake_volusion.imports[0].decode()
    assert body == (
        '<?xml version="1.0" encoding="utf-8"?>\n<xmldata><Products><ProductCode>A&amp;B</ProductCode>'
        "<StockStatus>3</StockStatus><DoNotAllowBackOrders>Y</DoNotAllowBackOrders></Products></xmldata>"
    )


def test_push_of_an_unknown_product_code_is_an_error_for_that_item_only(fake_volusion, volusion_connector):
    fake_volusion.state.product_add("KNOWN", 1)

    results = volusion_connector().quantities_push(updates=[_update("KNOWN", 5), _update("GONE", 5)])

    assert {r.external_id: (r.outcome, r.error) for r in results} == {
        "KNOWN": ("ok", ""),
        "GONE": ("error", "No product 'GONE' on Volusion"),
    }


def test_listings_walk_the_products_export_100_at_a_time_with_variants_as_child_products(
    fake_volusion, volusion_connector
):
    fake_volusion.state.product_add("PARENT", 0, name="Sheet")
    for n in range(150):
        fake_volusion.state.product_add(f"V-{n:03d}", n, parent="PARENT")
    connector = volusion_connector()

    first = connector.listings_fetch(cursor=None)
    second = connector.listings_fetch(cursor=first.next_cursor)

    assert (len(first.listings), first.next_cursor) == (100, "walk")
    assert (len(second.listings), second.next_cursor) == (51, None)
    child = next(item for item in second.listings if item.external_id == "V-149")
    assert (child.sku_code, child.quantity, child.external_product_id) == ("V-149", 149, "PARENT")


def test_orders_read_store_local_dates_in_the_account_time_zone(fake_volusion, volusion_connector):
    fake_volusion.state.product_add("TOWEL", 5)
    order = fake_volusion.state.buy("TOWEL", 2)

    page = volusion_connector().orders_fetch_changed(since=None, cursor=None)

    (got,) = page.orders
    assert (got.external_id, got.status, [(li.sku_code, li.quantity) for li in got.lines]) == (
        str(order.order_id),
        "open",
        [("TOWEL", 2)],
    )
    # minute precision, converted from America/Chicago back to the instant
    assert got.updated_at.astimezone(UTC) == order.modified.replace(second=0, microsecond=0)


def test_status_exports_keep_only_orders_modified_since_the_poll_start_minus_nothing_more(
    fake_volusion, volusion_connector
):
    fake_volusion.state.product_add("TOWEL", 5)
    old, new = fake_volusion.state.buy("TOWEL"), fake_volusion.state.buy("TOWEL")
    old.modified = datetime.now(UTC) - timedelta(hours=2)
    connector = volusion_connector(order_statuses=["New"])
    connector.orders_fetch_changed(since=None, cursor=None)  # the cursor walk takes both once

    page = connector.orders_fetch_changed(since=datetime.now(UTC) - timedelta(minutes=5), cursor="status:0")

    assert [o.external_id for o in page.orders] == [str(new.order_id)]
    assert page.next_cursor is None
    assert fake_volusion.calls[-1][1:] == ("Generic\\Orders", "New")


def test_cancelled_and_shipped_statuses_map_to_our_states(fake_volusion, volusion_connector):
    fake_volusion.state.product_add("TOWEL", 5)
    a, b = fake_volusion.state.buy("TOWEL"), fake_volusion.state.buy("TOWEL")
    fake_volusion.state.order_status_set(a.order_id, "Cancelled")
    fake_volusion.state.order_status_set(b.order_id, "Shipped")

    page = volusion_connector().orders_fetch_changed(since=None, cursor=None)

    assert {o.external_id: o.status for o in page.orders} == {
        str(a.order_id): "cancelled",
        str(b.order_id): "fulfilled",
    }


def test_fulfilment_posts_tracking_and_marks_the_whole_order_shipped_once(fake_volusion, volusion_connector):
    fake_volusion.state.product_add("TOWEL", 5)
    order = fake_volusion.state.buy("TOWEL", 2)
    line_id = str(order.details[0].detail_id)
    fulfilment = FulfilmentDTO(
        order_external_id=str(order.order_id), lines={line_id: 2}, carrier="UPS", tracking_number="1Z999"
    )
    connector = volusion_connector()

    connector.fulfilment_push(fulfilment=fulfilment)
    connector.fulfilment_push(fulfilment=fulfilment)  # a retry after a lost answer

    assert (order.status, order.shipped, list(order.tracking)) == ("Shipped", True, ["1Z999"])
    assert len(fake_volusion.calls_of("Import=Insert-Update")) == 1


def test_partial_fulfilment_adds_tracking_without_marking_the_order_shipped(
    fake_volusion, volusion_connector
):
    fake_volusion.state.product_add("TOWEL", 5)
    order = fake_volusion.state.buy("TOWEL", 2)
    line_id = str(order.details[0].detail_id)

    volusion_connector().fulfilment_push(
        fulfilment=FulfilmentDTO(
            order_external_id=str(order.order_id), lines={line_id: 1}, tracking_number="T1"
        )
    )

    assert (order.status, order.shipped, list(order.tracking)) == ("New", False, ["T1"])


def test_every_call_carries_login_and_encrypted_password_as_query_parameters(
    fake_volusion, volusion_connector
):
    seen = []
    fake_volusion.state.product_add("TOWEL", 5)
    original = fake_volusion.webservice

    def spy(method, query, body):
        seen.append(dict(query))
        return original(method, query, body)

    fake_volusion.webservice = spy
    volusion_connector().quantities_fetch(listings=[ListingRef(external_id="TOWEL")])

    assert seen == [
        {
            "Login": fake_volusion.state.login,
            "EncryptedPassword": fake_volusion.state.encrypted_password,
            "EDI_Name": "Generic\\Products",
            "SELECT_Columns": "p.ProductID,p.ProductCode,p.ProductName,p.IsChildOfProductCode,p.StockStatus",
            "WHERE_Column": "p.ProductCode",
            "WHERE_Value": "TOWEL",
        }
    ]


def test_expired_password_is_a_clear_permanent_error_never_an_empty_answer(fake_volusion, volusion_connector):
    fake_volusion.state.product_add("TOWEL", 5)
    fake_volusion.state.buy("TOWEL")
    connector = volusion_connector()
    fake_volusion.state.password_rotate()

    for call in (
        lambda: connector.orders_fetch_changed(since=None, cursor=None),
        lambda: connector.quantities_push(updates=[_update("TOWEL", 1)]),
        lambda: connector.listings_fetch(cursor=None),
    ):
        with pytest.raises(CredentialsExpired) as caught:
            call()
        assert str(caught.value) == EXPIRED == "Volusion credentials expired: paste the new EncryptedPassword"
    assert fake_volusion.state.products["TOWEL"].stock == 4  # the refused import changed nothing
    assert fake_volusion.state.exported["Orders"] == set()


def test_credentials_problems_refuse_a_pasted_url_and_an_unknown_time_zone():
    cls = connector_class_get(kind="volusion")

    problems = cls.credentials_problems(
        credentials={
            "login": "a@b.c",
            "encrypted_password": "https://x/net/WebService.aspx?EncryptedPassword=AB",
        },
        options={"time_zone": "Mars/Olympus"},
    )

    assert problems == [
        "encrypted_password: paste only the hexadecimal value between `EncryptedPassword=` and `&`",
        "time_zone: 'Mars/Olympus' is not a known time zone (e.g. America/Chicago)",
    ]
    assert (
        cls.credentials_problems(
            credentials={"login": "a@b.c", "encrypted_password": "AB12" * 16}, options={}
        )
        == []
    )


def test_a_5xx_is_retryable_and_a_bad_cursor_is_refused(fake_volusion, volusion_connector):
    from channels_app.connectors.errors import RetryableError

    connector = volusion_connector()
    fake_volusion.fail_next(1, status=503)
    with pytest.raises(RetryableError):
        connector.orders_fetch_changed(since=None, cursor=None)
    with pytest.raises(ConnectorError, match="Unknown Volusion order cursor"):
        connector.orders_fetch_changed(since=None, cursor="bogus")


def test_the_fake_url_is_the_store_root(fake_volusion):
    assert urlsplit(fake_volusion.url).path == "/"
    assert parse_qs("") == {}


def test_no_error_and_no_log_line_shows_the_encrypted_password(fake_volusion, volusion_connector, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="urllib3")  # it logs each request line with its query
    password = fake_volusion.state.encrypted_password
    connector = volusion_connector()
    fake_volusion.fail_next(1, status=400)

    with pytest.raises(ConnectorError) as caught:
        connector.orders_fetch_changed(since=None, cursor=None)
    connector.orders_fetch_changed(since=None, cursor=None)

    assert password not in f"{caught.value} {caught.value.body} {caught.value.headers}"
    console = logging.getLogger().handlers[0]  # the configured handler, with its masking filter
    lines = [console.format(record) for record in caplog.records if console.filter(record)]
    assert any("EncryptedPassword=********" in line for line in lines)
    assert not any(password in line for line in lines)
