"""Listings beyond searchListingsItems' 1,000: the GET_MERCHANT_LISTINGS_ALL_DATA report
(``channels_app.connectors.amazon.reports``), on the fake SP-API, and its TSV mapping."""

from __future__ import annotations

from dataclasses import replace

import pytest

from channels_app.connectors.amazon.mapping import listing_from_amazon, listings_from_report
from channels_app.connectors.errors import ConnectorError
from channels_app.models import Listing
from channels_app.services.accounts import account_connector
from channels_app.services.onboarding import account_listings_import
from config.sandbox.amazon.listings import listing_item_json
from config.sandbox.amazon.reports import listings_tsv

pytestmark = pytest.mark.django_db
REPORT_OPERATIONS = ("createReport", "getReport", "getReportDocument")


def _seed(amazon, count: int = 1203) -> None:
    """``count`` listings; every tenth (0, 10, ...) Amazon-fulfilled, the others quantity n % 50."""
    for n in range(count):
        if n % 10 == 0:
            amazon.seed_listing(f"SKU-{n:05d}", None, fulfillment_channel_code="AMAZON_NA")
        else:
            amazon.seed_listing(f"SKU-{n:05d}", n % 50)


def _search_to_report(amazon, connector) -> tuple[int, str]:
    """Page through searchListingsItems (the frozen fake clock moved 0.2 s a page, the token its
    usage plan refills); (listings read, the report cursor it ends with)."""
    read, cursor = 0, None
    while True:
        page = connector.listings_fetch(cursor=cursor)
        read += len(page.listings)
        cursor = page.next_cursor
        assert cursor is not None
        if cursor.startswith("report:"):
            return read, cursor
        amazon.advance(0.2)


def test_a_seller_with_1203_listings_imports_all_of_them_within_the_usage_plans(fake_factory, connect):
    amazon = fake_factory(frozen=False, report_queue_seconds=1.0, report_processing_seconds=1.0)
    _seed(amazon)
    account = connect(amazon, report_poll_seconds=0.5)

    counts = account_listings_import(account=account, autolink=False)

    rows = {li.external_id: li for li in Listing.objects.filter(account=account)}
    assert counts == {"imported": 1000 + 1203, "linked": 0}
    assert len(rows) == 1203
    assert sum(1 for li in rows.values() if not li.push_enabled) == 121
    assert (rows["SKU-00010"].push_enabled, rows["SKU-00010"].last_seen_qty) == (False, None)
    assert rows["SKU-00010"].extra["fulfillment_channel_code"] == "AMAZON_NA"
    assert (rows["SKU-01202"].push_enabled, rows["SKU-01202"].last_seen_qty) == (True, 2)
    assert (rows["SKU-01202"].title, rows["SKU-01202"].external_product_id) == (
        "Item SKU-01202",
        amazon.listing("SKU-01202").asin,
    )
    assert all(
        li.last_seen_qty == (None if n % 10 == 0 else n % 50)
        for n, li in ((int(sku[4:]), li) for sku, li in rows.items())
    )
    assert [
        amazon.stats.requests[op] for op in ("searchListingsItems", "createReport", "getReportDocument")
    ] == [
        50,
        1,
        1,
    ]
    assert amazon.stats.requests["getReport"] >= 1
    assert sum(amazon.stats.throttled.values()) == 0


def test_the_import_checks_the_report_until_it_is_done(fake_factory, connect):
    amazon = fake_factory(report_queue_seconds=30.0, report_processing_seconds=60.0)
    _seed(amazon)
    connector = account_connector(account=connect(amazon, report_wait_seconds=0))

    read, cursor = _search_to_report(amazon, connector)
    queued = connector.listings_fetch(cursor=cursor)
    amazon.advance(30)
    processing = connector.listings_fetch(cursor=cursor)
    amazon.advance(60)
    done = connector.listings_fetch(cursor=cursor)

    assert read == 1000
    assert (list(queued.listings), queued.next_cursor) == ([], cursor)
    assert (list(processing.listings), processing.next_cursor) == ([], cursor)
    assert (len(done.listings), done.next_cursor) == (1203, None)
    assert [amazon.stats.requests[op] for op in REPORT_OPERATIONS] == [1, 3, 1]
    assert sum(amazon.stats.throttled.values()) == 0
    report = amazon.state.reports.reports[cursor.split(":")[1]]
    assert (report.report_type, report.marketplace_ids) == (
        "GET_MERCHANT_LISTINGS_ALL_DATA",
        ["ATVPDKIKX0DER"],
    )


def test_a_gzip_report_document_is_decompressed(fake_factory, connect):
    amazon = fake_factory(report_queue_seconds=0, report_processing_seconds=0, report_document_gzip=True)
    _seed(amazon)
    connector = account_connector(account=connect(amazon))

    _, cursor = _search_to_report(amazon, connector)
    page = connector.listings_fetch(cursor=cursor)

    by_sku = {dto.external_id: dto for dto in page.listings}
    assert (len(by_sku), page.next_cursor) == (1203, None)
    assert (by_sku["SKU-00007"].quantity, by_sku["SKU-00007"].push_enabled) == (7, True)
    assert (by_sku["SKU-01200"].quantity, by_sku["SKU-01200"].push_enabled) == (None, False)
    document = next(iter(amazon.state.reports.documents.values()))
    assert document.compression == "GZIP"


def test_a_fatal_report_fails_the_import_after_the_search_pages(fake_factory, connect):
    amazon = fake_factory(
        frozen=False, report_queue_seconds=0, report_processing_seconds=0, report_fatal=True
    )
    _seed(amazon)
    account = connect(amazon)

    with pytest.raises(ConnectorError) as caught:
        account_listings_import(account=account, autolink=False)

    assert "ended FATAL" in str(caught.value)
    assert Listing.objects.filter(account=account).count() == 1000
    assert [amazon.stats.requests[op] for op in REPORT_OPERATIONS] == [1, 1, 0]


def test_a_cancelled_report_raises(fake_factory, connect):
    amazon = fake_factory(report_queue_seconds=30.0)
    _seed(amazon, 1000)
    connector = account_connector(account=connect(amazon, report_wait_seconds=0))
    _, cursor = _search_to_report(amazon, connector)
    assert amazon.state.reports.cancel(cursor.split(":")[1]) is True

    with pytest.raises(ConnectorError, match="ended CANCELLED"):
        connector.listings_fetch(cursor=cursor)


def test_a_report_past_its_timeout_raises(fake_factory, connect):
    amazon = fake_factory(report_queue_seconds=30.0)
    _seed(amazon, 1000)
    connector = account_connector(account=connect(amazon, report_wait_seconds=0, report_timeout_seconds=0))
    _, cursor = _search_to_report(amazon, connector)

    with pytest.raises(ConnectorError, match="still IN_QUEUE"):
        connector.listings_fetch(cursor=cursor)


def test_under_1000_listings_no_report_is_requested(amazon, connect):
    _seed(amazon, 25)
    connector = account_connector(account=connect(amazon))

    first = connector.listings_fetch(cursor=None)
    second = connector.listings_fetch(cursor=first.next_cursor)

    assert (len(first.listings), len(second.listings), second.next_cursor) == (20, 5, None)
    assert amazon.stats.requests["createReport"] == 0


# ------------------------------------------------------------------ mapping of the TSV


def test_report_rows_map_as_the_listings_items_do(amazon):
    amazon.seed_listing("LINEN-1", 4, item_name="Linen sheet")
    amazon.seed_listing("TOWEL", 40, fulfillment_channel_code="AMAZON_NA")
    amazon.seed_listing("EMPTY", 0)
    listings = [amazon.listing(sku) for sku in ("EMPTY", "LINEN-1", "TOWEL")]
    included = {"summaries", "fulfillmentAvailability"}

    from_report = listings_from_report(listings_tsv(listings))

    from_items = [
        listing_from_amazon(
            listing_item_json(li, included=included, marketplace_ids=["ATVPDKIKX0DER"]),
            marketplace_id="ATVPDKIKX0DER",
        )
        for li in listings
    ]
    assert from_report == [replace(dto, extra={**dto.extra, "product_type": ""}) for dto in from_items]
    assert [(d.external_id, d.quantity, d.push_enabled) for d in from_report] == [
        ("EMPTY", 0, True),
        ("LINEN-1", 4, True),
        ("TOWEL", None, False),
    ]


def test_report_columns_are_found_by_name_in_any_order():
    raw = (
        b"status\tfulfillment-channel\tquantity\tasin1\tseller-sku\titem-name\r\n"
        b"Active\tDEFAULT\t12\tB0ABC\tA-1\tFirst item\r\n"
        b"Active\tAMAZON_EU\t\tB0DEF\tB-2\tSecond item\r\n"
        b"\r\n"
    )

    rows = listings_from_report(raw)

    assert [(r.external_id, r.sku_code, r.title, r.quantity, r.external_product_id) for r in rows] == [
        ("A-1", "A-1", "First item", 12, "B0ABC"),
        ("B-2", "B-2", "Second item", None, "B0DEF"),
    ]
    assert [(r.push_enabled, r.extra["fulfillment_channel_code"]) for r in rows] == [
        (True, "DEFAULT"),
        (False, "AMAZON_EU"),
    ]


def test_report_rows_tolerate_a_bom_blank_quantities_short_rows_and_repeated_skus():
    raw = "\ufeffseller-sku\tquantity\tfulfillment-channel\nA\t\tDEFAULT\nB\nA\t9\tDEFAULT\n\tx\tDEFAULT\n"

    rows = listings_from_report(raw.encode("utf-8"))

    assert [(r.external_id, r.quantity, r.push_enabled) for r in rows] == [
        ("A", None, True),
        ("B", None, True),
    ]


def test_a_report_in_windows_1252_is_read():
    rows = listings_from_report("seller-sku\titem-name\nCAFE-1\tCaf\u00e9 cr\u00e8me\n".encode("cp1252"))

    assert [(r.external_id, r.title) for r in rows] == [("CAFE-1", "Caf\u00e9 cr\u00e8me")]


def test_a_report_without_a_seller_sku_column_is_refused():
    with pytest.raises(ConnectorError, match="no seller-sku column"):
        listings_from_report(b"sku\tquantity\nA\t1\n")

    assert listings_from_report(b"") == []
