"""The fake QuickBooks Online over real HTTP: what it checks and how it answers (no database)."""

from __future__ import annotations

import pytest
import requests

from config.sandbox.quickbooks.fake import FakeQuickBooks


@pytest.fixture
def qbo():
    with FakeQuickBooks() as fake:
        yield fake


def _tokens(fake) -> dict:
    location = fake.consent(
        f"{fake.authorize_url}?client_id={fake.client_id}&response_type=code"
        "&scope=com.intuit.quickbooks.accounting&redirect_uri=https://app/cb&state=s1"
    )
    assert f"realmId={fake.realm_id}" in location and "state=s1" in location
    code = location.split("code=")[1].split("&")[0]
    answer = requests.post(
        fake.token_url,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": "https://app/cb"},
        auth=(fake.client_id, fake.client_secret),
        timeout=5,
    )
    assert answer.status_code == 200 and answer.json()["x_refresh_token_expires_in"] == 8726400
    return answer.json()


def _call(fake, method, entity, token, *, realm=None, **kwargs):
    url = f"{fake.base_url}/v3/company/{realm or fake.realm_id}/{entity}"
    return requests.request(
        method,
        url,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        timeout=5,
        **kwargs,
    )


def test_refresh_tokens_rotate_and_the_used_one_dies(qbo):
    first = _tokens(qbo)
    auth = (qbo.client_id, qbo.client_secret)
    second = requests.post(
        qbo.token_url,
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        auth=auth,
        timeout=5,
    ).json()
    reused = requests.post(
        qbo.token_url,
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        auth=auth,
        timeout=5,
    )

    assert second["refresh_token"] != first["refresh_token"]
    assert (reused.status_code, reused.json()) == (400, {"error": "invalid_grant"})


def test_401_and_wrong_realm_fault_bodies(qbo):
    token = _tokens(qbo)["access_token"]

    unauthenticated = _call(qbo, "GET", "query", "bad", params={"query": "select * from Customer"})
    other_realm = _call(qbo, "GET", "query", token, realm="1", params={"query": "select * from Customer"})

    assert (
        unauthenticated.status_code == 401 and unauthenticated.json()["fault"]["error"][0]["code"] == "3200"
    )
    assert other_realm.status_code == 403 and other_realm.json()["Fault"]["Error"][0]["code"] == "3100"


def test_requestid_replays_the_first_answer(qbo):
    token = _tokens(qbo)["access_token"]
    params = {"requestid": "r-1", "minorversion": "75"}

    first = _call(qbo, "POST", "customer", token, params=params, json={"DisplayName": "Shopify customers"})
    again = _call(qbo, "POST", "customer", token, params=params, json={"DisplayName": "Shopify customers"})
    fresh = _call(
        qbo, "POST", "customer", token, params={"requestid": "r-2"}, json={"DisplayName": "Shopify customers"}
    )

    assert first.json()["Customer"]["Id"] == again.json()["Customer"]["Id"] and qbo.replays == 1
    assert fresh.status_code == 400 and fresh.json()["Fault"]["Error"][0]["code"] == "6240"
    assert len(qbo.entities["Customer"]) == 1 and qbo.minor_versions[:2] == ["75", "75"]


def test_unbalanced_journal_entry_is_a_validation_fault(qbo):
    token = _tokens(qbo)["access_token"]
    line = {"DetailType": "JournalEntryLineDetail"}
    body = {
        "Line": [
            {
                **line,
                "Amount": 10.0,
                "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": {"value": "30"}},
            },
            {
                **line,
                "Amount": 9.0,
                "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": {"value": "81"}},
            },
        ]
    }

    answer = _call(qbo, "POST", "journalentry", token, params={"requestid": "j1"}, json=body)

    assert answer.status_code == 400
    fault = answer.json()["Fault"]
    assert fault["type"] == "ValidationFault" and fault["Error"][0]["code"] == "6000"
    assert qbo.entities["JournalEntry"] == []


def test_required_line_and_amount_checks(qbo):
    token = _tokens(qbo)["access_token"]
    missing = _call(qbo, "POST", "salesreceipt", token, json={"DocNumber": "X"})
    wrong = _call(
        qbo,
        "POST",
        "salesreceipt",
        token,
        json={
            "Line": [
                {
                    "Amount": 10.0,
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "UnitPrice": 3.0, "Qty": 3},
                }
            ]
        },
    )

    assert missing.json()["Fault"]["Error"][0] == {
        "Message": "Required param missing, need to supply the required value for the API",
        "Detail": "Required parameter Line is missing in the request",
        "code": "2020",
        "element": "Line",
    }
    assert wrong.json()["Fault"]["Error"][0]["code"] == "6070"


def test_query_language_with_escaped_quotes_and_empty_answers(qbo):
    token = _tokens(qbo)["access_token"]
    _call(qbo, "POST", "customer", token, json={"DisplayName": "O'Brien's shop"})

    found = _call(
        qbo,
        "GET",
        "query",
        token,
        params={"query": "select * from Customer where DisplayName = 'O\\'Brien\\'s shop'"},
    )
    empty = _call(qbo, "GET", "query", token, params={"query": "select * from Bill where DocNumber = 'none'"})
    bad = _call(qbo, "GET", "query", token, params={"query": "delete from Bill"})

    assert [c["DisplayName"] for c in found.json()["QueryResponse"]["Customer"]] == ["O'Brien's shop"]
    assert empty.json()["QueryResponse"] == {}
    assert bad.status_code == 400 and bad.json()["Fault"]["Error"][0]["code"] == "4000"


def test_throttle_answers_429_throttle_exceeded(qbo):
    qbo.minute_limit = 1
    token = _tokens(qbo)["access_token"]

    ok = _call(qbo, "GET", "query", token, params={"query": "select * from Customer"})
    throttled = _call(qbo, "GET", "query", token, params={"query": "select * from Customer"})

    assert ok.status_code == 200 and throttled.status_code == 429
    assert throttled.json()["Fault"]["Error"][0]["code"] == "3001"
