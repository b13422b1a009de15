"""The fake Xero over real HTTP: what it checks and how it answers (no database)."""

from __future__ import annotations

import threading

import pytest
import requests

from config.sandbox.xero.fake import FakeXero


@pytest.fixture
def xero():
    with FakeXero() as fake:
        yield fake


def _tokens(fake) -> dict:
    location = fake.consent(
        f"{fake.authorize_url}?response_type=code&client_id={fake.client_id}&redirect_uri=https://app/cb"
        "&scope=openid+offline_access+accounting.transactions&state=s1"
    )
    code = location.split("code=")[1].split("&")[0]
    answer = requests.post(
        fake.token_url,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": "https://app/cb"},
        auth=(fake.client_id, fake.client_secret),
        timeout=5,
    )
    assert answer.status_code == 200
    return answer.json()


def _api(fake, method, path, token, *, tenant=None, **kwargs):
    headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": tenant or fake.tenant_id}
    headers.update(kwargs.pop("headers", {}))
    return requests.request(
        method, f"{fake.base_url}/api.xro/2.0/{path}", headers=headers, timeout=5, **kwargs
    )


def test_codes_are_single_use_and_bound_to_the_redirect_uri(xero):
    location = xero.consent(
        f"{xero.authorize_url}?response_type=code&client_id={xero.client_id}&redirect_uri=https://app/cb"
        "&scope=offline_access&state=abc"
    )
    assert location.startswith("https://app/cb?code=") and "state=abc" in location
    code = location.split("code=")[1].split("&")[0]
    auth = (xero.client_id, xero.client_secret)
    wrong = requests.post(
        xero.token_url,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": "https://evil/cb"},
        auth=auth,
        timeout=5,
    )
    assert (wrong.status_code, wrong.json()) == (400, {"error": "invalid_grant"})


def test_refresh_rotates_and_the_old_token_has_a_30_minute_grace(xero):
    first = _tokens(xero)
    auth = (xero.client_id, xero.client_secret)

    def refresh(token):
        return requests.post(
            xero.token_url, data={"grant_type": "refresh_token", "refresh_token": token}, auth=auth, timeout=5
        )

    second = refresh(first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"] and second["expires_in"] == 1800
    assert refresh(first["refresh_token"]).status_code == 200  # inside the grace period
    xero.clock_offset = 31 * 60
    assert refresh(first["refresh_token"]).json() == {"error": "invalid_grant"}
    assert refresh(second["refresh_token"]).status_code == 200


def test_api_needs_a_live_token_and_a_granted_tenant(xero):
    token = _tokens(xero)["access_token"]

    assert _api(xero, "GET", "Invoices", "nope").status_code == 401
    forbidden = _api(xero, "GET", "Invoices", token, tenant="00000000-0000-0000-0000-000000000000")
    assert (forbidden.status_code, forbidden.json()["Detail"]) == (403, "AuthenticationUnsuccessful")
    xero.expire_access_tokens()
    expired = _api(xero, "GET", "Invoices", token)
    assert (expired.status_code, expired.json()["Title"]) == (401, "Unauthorized")


def test_minute_limit_answers_429_with_retry_after_and_the_problem(xero):
    xero.minute_limit = 2
    token = _tokens(xero)["access_token"]

    answers = [_api(xero, "GET", "Contacts", token) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[1].headers["X-MinLimit-Remaining"] == "0"
    assert (
        answers[2].headers["X-Rate-Limit-Problem"] == "minute"
        and 1 <= int(answers[2].headers["Retry-After"]) <= 60
    )


def test_more_than_five_in_flight_is_a_concurrent_429(xero):
    xero.slow_seconds = 0.5
    token = _tokens(xero)["access_token"]
    statuses, problems = [], []

    def call():
        answer = _api(xero, "GET", "Contacts", token)
        statuses.append(answer.status_code)
        problems.append(answer.headers.get("X-Rate-Limit-Problem"))

    threads = [threading.Thread(target=call) for _ in range(7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] * 5 + [429] * 2 and problems.count("concurrent") == 2
    assert xero.max_in_flight == 5


def test_idempotency_key_replays_the_first_answer(xero):
    token = _tokens(xero)["access_token"]
    body = {"Contacts": [{"Name": "Shopify customers"}]}

    first = _api(xero, "PUT", "Contacts", token, json=body, headers={"Idempotency-Key": "k1"})
    again = _api(xero, "PUT", "Contacts", token, json=body, headers={"Idempotency-Key": "k1"})
    other = _api(xero, "PUT", "Contacts", token, json=body, headers={"Idempotency-Key": "k2"})

    assert first.json()["Contacts"][0]["ContactID"] == again.json()["Contacts"][0]["ContactID"]
    assert len(xero.contacts) == 1 and xero.replays == 1
    assert other.status_code == 400
    assert other.json()["Elements"][0]["ValidationErrors"][0]["Message"].startswith(
        "The contact name Shopify customers is already assigned to another contact."
    )


def test_unbalanced_journal_is_a_validation_exception(xero):
    token = _tokens(xero)["access_token"]
    body = {
        "ManualJournals": [
            {
                "Narration": "x",
                "Date": "2026-11-01",
                "JournalLines": [
                    {"LineAmount": 10.0, "AccountCode": "310"},
                    {"LineAmount": -9.99, "AccountCode": "630"},
                ],
            }
        ]
    }

    answer = _api(xero, "PUT", "ManualJournals", token, json=body)

    assert answer.status_code == 400
    assert answer.json()["ErrorNumber"] == 10 and answer.json()["Type"] == "ValidationException"
    assert answer.json()["Elements"][0]["ValidationErrors"] == [
        {"Message": "The total debits (10.00) must equal total credits (9.99)"}
    ]
    assert xero.journals == []


def test_where_filters_and_invoice_numbers(xero):
    token = _tokens(xero)["access_token"]
    contact = _api(xero, "PUT", "Contacts", token, json={"Contacts": [{"Name": "Acme"}]}).json()["Contacts"][
        0
    ]
    for number, kind in (("B-1", "ACCPAY"), ("B-2", "ACCPAY")):
        _api(
            xero,
            "PUT",
            "Invoices",
            token,
            json={
                "Invoices": [
                    {
                        "Type": kind,
                        "InvoiceNumber": number,
                        "Contact": {"ContactID": contact["ContactID"]},
                        "Date": "2026-11-01",
                        "DueDate": "2026-11-01",
                        "Status": "AUTHORISED",
                        "LineItems": [
                            {"Description": "x", "Quantity": 1, "UnitAmount": 5, "AccountCode": "630"}
                        ],
                    }
                ]
            },
        )

    by_number = _api(xero, "GET", "Invoices", token, params={"InvoiceNumbers": "B-2"}).json()["Invoices"]
    by_where = _api(
        xero, "GET", "Invoices", token, params={"where": 'InvoiceNumber=="B-1" AND Type=="ACCPAY"'}
    )

    assert [i["InvoiceNumber"] for i in by_number] == ["B-2"]
    assert [i["InvoiceNumber"] for i in by_where.json()["Invoices"]] == ["B-1"]
    assert by_where.json()["Invoices"][0]["Total"] == 5.5  # account 630's default INPUT tax (10%)


def test_drop_after_processes_then_closes_without_an_answer(xero):
    token = _tokens(xero)["access_token"]
    xero.drop_after("PUT", "/Contacts")

    with pytest.raises(requests.ConnectionError):
        _api(xero, "PUT", "Contacts", token, json={"Contacts": [{"Name": "Lost answer"}]})

    assert [c["Name"] for c in xero.contacts] == ["Lost answer"]
