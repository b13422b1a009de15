"""The client against the fake: auth and versions on every call, errorresponse handling,
"Quota exceeded" retryable, hostile and oversized XML refused, purgeandreplace never sent."""

from __future__ import annotations

import pytest

from channels_app.connectors.dto import ListingRef
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.rakuten.client import QUOTA_RETRY_SECONDS, RakutenApiError, RakutenQuotaError
from channels_app.connectors.xmlsafe import UnsafeXml, xml_parse

from .conftest import connector_of

pytestmark = pytest.mark.django_db


def test_every_call_carries_login_token_and_the_actions_version(rakuten, connect):
    connector = connector_of(connect(rakuten))

    assert connector.new_sales() == []
    connector.listings_fetch(cursor=None)

    assert [(a, p["login"], p["version"]) for a, p in rakuten.requests] == [
        ("getnewsales", "vendeur-pro", "2017-08-07"),
        ("export", "vendeur-pro", "2018-06-29"),
    ]


def test_a_wrong_token_is_a_clear_credentials_error(rakuten, connect):
    account = connect(rakuten)
    rakuten.state.token = "another-token"

    with pytest.raises(RakutenApiError) as caught:
        connector_of(account).new_sales()

    assert str(caught.value).startswith(
        "Rakuten credentials invalid: check the login and paste the API token again"
    )
    assert not isinstance(caught.value, RetryableError)


def test_quota_exceeded_is_retryable_with_a_wait(rakuten, connect):
    connector = connector_of(connect(rakuten))
    rakuten.faults.quota = 1

    with pytest.raises(RakutenQuotaError) as caught:
        connector.new_sales()

    assert caught.value.retry_after == QUOTA_RETRY_SECONDS
    assert connector.new_sales() == []  # the next call goes through


def test_quota_exceeded_with_http_429_is_retryable_too(rakuten, connect):
    connector = connector_of(connect(rakuten))
    rakuten.faults.quota, rakuten.faults.quota_status = 1, 429

    with pytest.raises(RetryableError):
        connector.new_sales()


@pytest.mark.parametrize("fault", ["hostile", "oversized"])
def test_an_answer_with_entities_or_too_large_is_refused(rakuten, connect, fault):
    connector = connector_of(connect(rakuten))
    setattr(rakuten.faults, fault, True)

    with pytest.raises(ConnectorError) as caught:
        connector.new_sales()

    assert not isinstance(caught.value, RetryableError)
    assert "XML answer" in str(caught.value)


def test_the_hardened_parser_refuses_a_dtd_an_external_entity_and_a_billion_laughs():
    with pytest.raises(UnsafeXml):
        xml_parse(b'<!DOCTYPE r SYSTEM "http://example.invalid/x.dtd"><r/>')
    with pytest.raises(UnsafeXml):
        xml_parse(b'<!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><r>&b;</r>')
    with pytest.raises(UnsafeXml):
        xml_parse(b"<r>" + b"x" * 100 + b"</r>", max_bytes=50)
    assert xml_parse(b"<r><a>1</a></r>").tag == "r"


def test_purgeandreplace_is_never_sent(rakuten, connect):
    connector = connector_of(connect(rakuten))

    with pytest.raises(ConnectorError, match="purgeandreplace is never sent"):
        connector.client.call("genericimportfile", {"purgeandreplace": "true"}, file=("x.xml", b"<items/>"))

    assert rakuten.calls["genericimportfile"] == 0


def test_live_quantities_come_from_one_read_of_the_export_for_a_reconciliations_batches(rakuten, connect):
    for n in range(150):
        rakuten.state.seed_advert(f"R-{n:03d}", n)
    connector = connector_of(connect(rakuten))
    refs = [ListingRef(external_id=f"R-{n:03d}") for n in (0, 7, 149)]

    first = connector.quantities_fetch(listings=refs)
    second = connector.quantities_fetch(
        listings=[ListingRef(external_id="R-100"), ListingRef(external_id="NONE")]
    )

    assert first == {"R-000": 0, "R-007": 7, "R-149": 149}
    assert second == {"R-100": 100}
    assert [p.get("nexttoken", "") for a, p in rakuten.requests] == ["", "100"]  # two pages, read once
