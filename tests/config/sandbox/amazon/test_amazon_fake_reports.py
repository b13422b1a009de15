"""The fake Amazon's Reports API: the GET_MERCHANT_LISTINGS_ALL_DATA lifecycle, its document at a
presigned URL (plain or gzip), errors and usage plans."""

from __future__ import annotations

import gzip

import pytest
import requests

from config.sandbox.amazon import FakeAmazon, FakeConfig, fake_amazon_fixture
from config.sandbox.amazon.reports import LISTINGS_COLUMNS
from config.sandbox.amazon.testing import MARKETPLACE, SpApiCaller

amazon = fake_amazon_fixture()
LISTINGS_REPORT = {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [MARKETPLACE]}


@pytest.fixture
def api(amazon):
    return SpApiCaller(amazon, amazon.access_token())


def _report(api, report_id: str) -> dict:
    return api.call("getReport", "GET", f"/reports/2021-06-30/reports/{report_id}").json()


def test_a_listings_report_goes_through_its_statuses_and_lists_every_listing(amazon, api):
    for n in range(1203):
        amazon.seed_listing(f"SKU-{n:05d}", n % 7)
    amazon.seed_listing("TOWEL", None, fulfillment_channel_code="AMAZON_NA")

    created = api.call("createReport", "POST", "/reports/2021-06-30/reports", body=LISTINGS_REPORT)
    report_id = created.json()["reportId"]
    statuses = [_report(api, report_id)["processingStatus"]]
    amazon.advance(10)
    statuses.append(_report(api, report_id)["processingStatus"])
    amazon.advance(30)
    done = _report(api, report_id)
    document = api.call(
        "getReportDocument", "GET", f"/reports/2021-06-30/documents/{done['reportDocumentId']}"
    )
    download = requests.get(document.json()["url"], timeout=10)

    assert (created.status_code, report_id) == (202, "70001")
    assert [*statuses, done["processingStatus"]] == ["IN_QUEUE", "IN_PROGRESS", "DONE"]
    assert (done["reportType"], done["marketplaceIds"]) == ("GET_MERCHANT_LISTINGS_ALL_DATA", [MARKETPLACE])
    assert "compressionAlgorithm" not in document.json()
    assert document.json()["url"].startswith(f"{amazon.base_url}/report-documents/download/")
    lines = download.content.decode("utf-8").splitlines()
    assert lines[0].split("\t") == list(LISTINGS_COLUMNS)
    assert len(lines) == 1 + 1204
    rows = [dict(zip(LISTINGS_COLUMNS, line.split("\t"), strict=True)) for line in lines[1:]]
    by_sku = {row["seller-sku"]: row for row in rows}
    assert (by_sku["SKU-00008"]["quantity"], by_sku["SKU-00008"]["fulfillment-channel"]) == ("1", "DEFAULT")
    assert (by_sku["TOWEL"]["quantity"], by_sku["TOWEL"]["fulfillment-channel"]) == ("", "AMAZON_NA")
    assert by_sku["TOWEL"]["asin1"] == amazon.listing("TOWEL").asin


def test_a_gzip_report_document_and_an_expired_url():
    fake = FakeAmazon(
        config=FakeConfig(report_document_gzip=True, report_queue_seconds=0, report_processing_seconds=0)
    )
    with fake:
        fake.seed_listing("A", 3)
        caller = SpApiCaller(fake, fake.access_token())
        report_id = caller.call(
            "createReport", "POST", "/reports/2021-06-30/reports", body=LISTINGS_REPORT
        ).json()["reportId"]
        doc_id = _report(caller, report_id)["reportDocumentId"]
        document = caller.call("getReportDocument", "GET", f"/reports/2021-06-30/documents/{doc_id}").json()
        content = gzip.decompress(requests.get(document["url"], timeout=10).content).decode()
        fake.advance(301)
        expired = requests.get(document["url"], timeout=10)

    assert document["compressionAlgorithm"] == "GZIP"
    assert content.splitlines()[1].split("\t")[LISTINGS_COLUMNS.index("seller-sku")] == "A"
    assert expired.status_code == 403 and b"Request has expired" in expired.content


def test_a_fatal_report_has_no_document():
    fake = FakeAmazon(
        config=FakeConfig(report_fatal=True, report_queue_seconds=0, report_processing_seconds=0)
    )
    with fake:
        caller = SpApiCaller(fake, fake.access_token())
        report_id = caller.call(
            "createReport", "POST", "/reports/2021-06-30/reports", body=LISTINGS_REPORT
        ).json()["reportId"]
        report = _report(caller, report_id)

    assert report["processingStatus"] == "FATAL" and "reportDocumentId" not in report


def test_report_errors(amazon, api):
    wrong_type = api.call(
        "createReport", "POST", "/reports/2021-06-30/reports", body={**LISTINGS_REPORT, "reportType": "X"}
    )
    wrong_market = api.call(
        "createReport",
        "POST",
        "/reports/2021-06-30/reports",
        body={**LISTINGS_REPORT, "marketplaceIds": ["Z"]},
    )
    unknown = api.call("getReport", "GET", "/reports/2021-06-30/reports/1")
    no_document = api.call("getReportDocument", "GET", "/reports/2021-06-30/documents/nope")
    no_key = requests.get(f"{amazon.base_url}/report-documents/download/nope", timeout=10)

    assert [r.status_code for r in (wrong_type, wrong_market, unknown, no_document, no_key)] == [
        400,
        400,
        404,
        404,
        404,
    ]
    assert wrong_type.json()["errors"][0]["code"] == "InvalidInput"
    assert unknown.json()["errors"][0] == {
        "code": "NotFound",
        "message": "Report 1 was not found.",
        "details": "",
    }


def test_report_usage_plans_answer_429_quota_exceeded(amazon, api):
    created = [
        api.call("createReport", "POST", "/reports/2021-06-30/reports", body=LISTINGS_REPORT)
        for _ in range(16)
    ]
    polled = [api.call("getReport", "GET", "/reports/2021-06-30/reports/70001") for _ in range(16)]
    amazon.advance(0.5)
    again = api.call("getReport", "GET", "/reports/2021-06-30/reports/70001")

    assert [r.status_code for r in created] == [202] * 15 + [429]
    assert [r.status_code for r in polled] == [200] * 15 + [429]
    assert created[-1].json()["errors"][0]["code"] == "QuotaExceeded"
    assert created[0].headers["x-amzn-RateLimit-Limit"] == "0.0167"
    assert (again.status_code, again.headers["x-amzn-RateLimit-Limit"]) == (200, "2.0")
    assert amazon.stats.throttled["createReport"] == amazon.stats.throttled["getReport"] == 1
