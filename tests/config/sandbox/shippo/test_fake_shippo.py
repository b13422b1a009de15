"""The fake Shippo itself: ShippoToken auth, validation, rates, transactions by rate, paging."""

from __future__ import annotations

import requests

from config.sandbox.shippo.server import FakeShippo

H = {"Authorization": "ShippoToken t"}
ADDRESS = {"name": "A", "street1": "1 St", "city": "Austin", "zip": "78701", "country": "US"}
PARCEL = {"length": "1", "width": "1", "height": "1", "distance_unit": "in", "weight": "2", "mass_unit": "lb"}


def test_token_header_is_required():
    with FakeShippo(token="t") as fake:
        assert requests.post(f"{fake.base_url}/shipments/", json={}, timeout=5).status_code == 401
        wrong = requests.post(
            f"{fake.base_url}/shipments/", json={}, headers={"Authorization": "Token t"}, timeout=5
        )
        assert (wrong.status_code, wrong.json()) == (401, {"detail": "Invalid token."})


def test_missing_fields_are_reported_per_field():
    with FakeShippo(token="t") as fake:
        answer = requests.post(
            f"{fake.base_url}/shipments/",
            json={"address_from": ADDRESS, "address_to": {**ADDRESS, "zip": ""}, "parcels": [PARCEL]},
            headers=H,
            timeout=5,
        )

    assert answer.status_code == 400
    assert answer.json() == {"address_to": {"zip": ["This field is required."]}}


def test_rates_then_transactions_listed_by_rate_with_paging():
    with FakeShippo(token="t") as fake:
        shipment = requests.post(
            f"{fake.base_url}/shipments/",
            json={"address_from": ADDRESS, "address_to": ADDRESS, "parcels": [PARCEL], "async": False},
            headers=H,
            timeout=5,
        ).json()
        rate = shipment["rates"][0]["object_id"]
        bought = requests.post(f"{fake.base_url}/transactions/", json={"rate": rate}, headers=H, timeout=5)
        listed = requests.get(
            f"{fake.base_url}/transactions/?rate={rate}&results=1", headers=H, timeout=5
        ).json()
        other = requests.get(f"{fake.base_url}/transactions/?rate=nope", headers=H, timeout=5).json()
        missing = requests.post(f"{fake.base_url}/transactions/", json={}, headers=H, timeout=5)

    assert [r["provider"] for r in shipment["rates"]] == ["USPS", "USPS", "UPS"]
    assert shipment["rates"][0]["amount"] == "5.95"  # 2 lb -> 1 kg bracket
    assert bought.status_code == 201 and bought.json()["status"] == "SUCCESS"
    assert (listed["count"], listed["next"], listed["results"][0]["rate"]) == (1, None, rate)
    assert other["count"] == 0
    assert missing.json() == {"rate": ["This field is required."]}
