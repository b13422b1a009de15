"""Shippo end to end against the fake: rates, rule, one purchase only, label stored, tracking."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from channels_app.models import ChannelOrderPush
from inventory_app.models import OrderStatus, StockLevel, StockOperation
from shipping_app.errors import ShippingError
from shipping_app.models import (
    LabelPurchase,
    LabelPurchaseState,
    Shipment,
    ShipmentStatus,
    ShippingWebhookEvent,
)
from shipping_app.providers.base import ProviderError, RetryableProviderError
from shipping_app.selectors.shipments import order_shipping_costs
from shipping_app.services.accounts import shipping_account_credentials_set, shipping_account_webhook_url
from shipping_app.services.labels import RateRule, shipment_draft_create, shipment_label_buy
from tests.parallel import run_parallel

pytestmark = pytest.mark.django_db(transaction=True)


def _hook(client, account, body):
    return client.post(
        f"/webhooks/shipping/{account.webhook_token}/", data=json.dumps(body), content_type="application/json"
    )


@pytest.mark.embedded
def test_buy_the_cheapest_usps_label_end_to_end_then_track_it(client, shippo, shippo_account, stocked_order):
    order = stocked_order([("WIDGET", 2)])

    draft = shipment_draft_create(account=shippo_account, order=order)
    shipment = shipment_label_buy(shipment=draft, rule=RateRule(carriers=["USPS"]))

    sent = next(r for r in shippo.log if r.route == "POST /shipments/").json()
    assert sent["parcels"] == [
        {
            "length": "30",
            "width": "20",
            "height": "10",
            "distance_unit": "cm",
            "weight": "500",
            "mass_unit": "g",
        }
    ]
    assert sent["address_to"]["zip"] == "78701" and sent["address_to"]["state"] == "TX"
    assert shipment.rates.count() == 3
    assert (shipment.carrier, shipment.service, shipment.rate_amount) == (
        "USPS",
        "Ground Advantage",
        Decimal("5.95"),
    )
    assert shipment.status == ShipmentStatus.SHIPPED
    assert shipment.label.read().startswith(b"%PDF")
    assert shipment.tracking_number.startswith("92055901755477")
    assert shippo.purchases == 1
    assert LabelPurchase.objects.get().state == LabelPurchaseState.PURCHASED
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert StockLevel.objects.get(sku__code="WIDGET").on_hand == 8
    fulfilment = ChannelOrderPush.objects.get().shipment
    assert (fulfilment.carrier, fulfilment.tracking_number, fulfilment.quantities) == (
        "USPS",
        shipment.tracking_number,
        {str(order.lines.get().pk): 2},
    )
    assert order_shipping_costs(order_ids=[order.pk]) == {order.pk: Decimal("5.95")}

    transit = shippo.track_webhook(shipment.tracking_number, "TRANSIT", date="2026-11-27T10:00:00Z")
    delivered = shippo.track_webhook(shipment.tracking_number, "DELIVERED", date="2026-11-28T09:00:00Z")
    responses = [_hook(client, shippo_account, b) for b in (transit, delivered, delivered)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[2].json()["duplicate"] is True
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED
    assert ShippingWebhookEvent.objects.count() == 2
    assert shipment.events.filter(key__startswith="track:").count() == 2


def test_a_late_tracking_event_does_not_move_the_status_back(client, shippo, shippo_account, stocked_order):
    shipment = shipment_label_buy(
        shipment=shipment_draft_create(account=shippo_account, order=stocked_order()), rule=RateRule()
    )
    delivered = shippo.track_webhook(shipment.tracking_number, "DELIVERED", date="2026-11-28T09:00:00Z")
    late_transit = shippo.track_webhook(shipment.tracking_number, "TRANSIT", date="2026-11-27T10:00:00Z")

    _hook(client, shippo_account, delivered)
    _hook(client, shippo_account, late_transit)

    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.DELIVERED


def test_buying_twice_buys_one_label_and_ships_once(shippo, shippo_account, stocked_order):
    draft = shipment_draft_create(account=shippo_account, order=stocked_order())

    shipment_label_buy(shipment=draft, rule=RateRule())
    again = shipment_label_buy(shipment=draft, rule=RateRule(carriers=["UPS"]))

    assert shippo.purchases == 1
    assert shippo.count("POST /transactions/") == 1
    assert again.carrier == "USPS"
    assert StockOperation.objects.filter(reason="shipment").count() == 1


def test_a_purchase_whose_answer_was_lost_is_found_not_bought_again(shippo, shippo_account, stocked_order):
    draft = shipment_draft_create(account=shippo_account, order=stocked_order())
    shippo.lose_next_purchase_answer()

    with pytest.raises(RetryableProviderError):
        shipment_label_buy(shipment=draft, rule=RateRule())
    assert LabelPurchase.objects.get().state == LabelPurchaseState.STARTED
    assert StockOperation.objects.filter(reason="shipment").count() == 0

    shipment = shipment_label_buy(shipment=draft, rule=RateRule(carriers=["UPS"]))

    assert shippo.purchases == 1
    assert shippo.count("POST /transactions/") == 1  # the retry looked it up instead
    assert shippo.log[-2].route == "GET /transactions/" and shippo.log[-2].query["rate"]
    assert shipment.carrier == "USPS"  # the rate of the purchase that happened, not the new rule
    assert shipment.status == ShipmentStatus.SHIPPED
    assert StockOperation.objects.filter(reason="shipment").count() == 1


def test_429_with_retry_after_is_retried_for_rates_and_purchase(shippo, shippo_account, stocked_order):
    shippo.fault(
        "POST /shipments/", 429, data={"detail": "Request was throttled."}, headers={"Retry-After": "1"}
    )
    shippo.fault(
        "POST /transactions/", 429, data={"detail": "Request was throttled."}, headers={"Retry-After": "1"}
    )

    shipment = shipment_label_buy(
        shipment=shipment_draft_create(account=shippo_account, order=stocked_order()), rule=RateRule()
    )

    assert shippo.count("POST /shipments/") == 2
    assert shippo.count("POST /transactions/") == 2
    assert shippo.purchases == 1
    assert shipment.status == ShipmentStatus.SHIPPED


def test_a_chosen_rate_for_part_of_the_order_leaves_the_rest_open(shippo, shippo_account, stocked_order):
    order = stocked_order([("WIDGET", 3)])
    line = order.lines.get()
    draft = shipment_draft_create(account=shippo_account, order=order, quantities={line.pk: 1})
    ups = draft.rates.get(carrier="UPS")

    shipment = shipment_label_buy(shipment=draft, rate_id=ups.external_id)

    order.refresh_from_db()
    line.refresh_from_db()
    assert shipment.carrier == "UPS"
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    assert (line.quantity_shipped, line.quantity_open) == (1, 2)
    assert (
        next(r for r in shippo.log if r.route == "POST /shipments/").json()["parcels"][0]["weight"] == "250"
    )


def test_no_matching_rate_buys_nothing(shippo, shippo_account, stocked_order):
    draft = shipment_draft_create(account=shippo_account, order=stocked_order())

    with pytest.raises(ShippingError, match="No rate matches"):
        shipment_label_buy(shipment=draft, rule=RateRule(carriers=["DHL"]))

    assert shippo.purchases == 0
    assert not LabelPurchase.objects.exists()
    assert Shipment.objects.get().status == ShipmentStatus.DRAFT


def test_a_bad_token_is_refused_and_nothing_is_stored(shippo, shippo_account, stocked_order):
    shipping_account_credentials_set(account=shippo_account, credentials={"api_token": "wrong"})
    shippo_account.refresh_from_db()

    with pytest.raises(ProviderError, match="401 Invalid token"):
        shipment_draft_create(account=shippo_account, order=stocked_order())

    assert Shipment.objects.count() == 0
    assert shippo.shipments == {}


def test_tracking_webhook_with_malformed_json_is_400(client, shippo, shippo_account):
    response = client.post(
        f"/webhooks/shipping/{shippo_account.webhook_token}/", data=b"{oops", content_type="application/json"
    )

    assert response.status_code == 400
    assert ShippingWebhookEvent.objects.count() == 0


def test_tracking_webhook_nested_50000_deep_is_400(client, shippo, shippo_account):
    response = client.post(
        f"/webhooks/shipping/{shippo_account.webhook_token}/",
        data=b"[" * 50_000,
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]
    assert ShippingWebhookEvent.objects.count() == 0


def test_two_concurrent_buys_of_one_shipment_buy_one_label(shippo, shippo_account, stocked_order):
    draft = shipment_draft_create(account=shippo_account, order=stocked_order())

    def buy(_) -> str:
        try:
            shipment_label_buy(shipment=Shipment.objects.get(pk=draft.pk), rule=RateRule())
        except ShippingError as exc:
            return str(exc)
        return "bought"

    outcomes = run_parallel(2, buy)

    assert shippo.purchases == 1
    assert outcomes["bought"] >= 1
    assert set(outcomes) <= {"bought", "A label purchase for this shipment is in progress"}
    assert StockOperation.objects.filter(reason="shipment").count() == 1


def _signed_hook(client, account, body: bytes, headers: dict):
    return client.post(
        f"/webhooks/shipping/{account.webhook_token}/",
        data=body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )


@pytest.mark.embedded
def test_with_a_webhook_secret_only_a_fresh_shippo_signature_moves_a_shipment(
    client, shippo, shippo_account, stocked_order
):
    shipping_account_credentials_set(
        account=shippo_account, credentials={"api_token": "shippo_test_abc", "webhook_secret": "whsec-1"}
    )
    shippo.webhook_secret = "whsec-1"
    shipment = shipment_label_buy(
        shipment=shipment_draft_create(account=shippo_account, order=stocked_order()), rule=RateRule()
    )
    returned = shippo.track_webhook(shipment.tracking_number, "RETURNED", date="2026-11-29T09:00:00Z")
    body, headers = shippo.signed_delivery(returned)
    stamp = headers["Shippo-Auth-Signature"].split(",")[0]
    forged = {"Shippo-Auth-Signature": f"{stamp},v1={'0' * 64}"}
    stale_body, stale = shippo.signed_delivery(returned, at=time.time() - 301)
    in_transit = shippo.track_webhook(shipment.tracking_number, "TRANSIT", date="2026-11-28T09:00:00Z")

    refused = [
        _signed_hook(client, shippo_account, body, forged),
        _signed_hook(client, shippo_account, body, {}),
        _signed_hook(client, shippo_account, stale_body, stale),
        _signed_hook(client, shippo_account, json.dumps(in_transit).encode(), headers),  # other body
    ]
    shipment.refresh_from_db()
    status_after_forgeries = shipment.status
    accepted = _signed_hook(client, shippo_account, *shippo.signed_delivery(in_transit))

    assert [r.status_code for r in refused] == [401, 401, 401, 401]
    assert status_after_forgeries == ShipmentStatus.SHIPPED
    assert accepted.status_code == 200
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.IN_TRANSIT
    assert ShippingWebhookEvent.objects.count() == 1


def test_the_shippo_webhook_url_does_not_carry_the_hmac_secret(shippo_account):
    shipping_account_credentials_set(
        account=shippo_account, credentials={"api_token": "shippo_test_abc", "webhook_secret": "whsec-1"}
    )

    shippo_account.refresh_from_db()

    url = shipping_account_webhook_url(account=shippo_account, site_url="https://stock.example.com")

    assert url == f"https://stock.example.com/webhooks/shipping/{shippo_account.webhook_token}/"
