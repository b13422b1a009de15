"""The shipping REST API: rates and label purchase (Shippo), export, shipments, cost; the fulfilment
that results, in the channels API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from channels_app.models import ChannelOrderPush
from shipping_app.models import Shipment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.embedded
def test_operator_rates_an_order_then_buys_the_cheapest_ups_label(
    api_client, shippo, shippo_account, stocked_order
):
    order = stocked_order([("WIDGET", 2)])
    client = api_client("operator")

    rated = client.post(
        f"/api/v1/shipping/orders/{order.pk}/rates/", {"account": shippo_account.pk}, format="json"
    )
    shipment_id = rated.json()["id"]
    bought = client.post(
        f"/api/v1/shipping/shipments/{shipment_id}/buy/", {"rule": {"carriers": ["UPS"]}}, format="json"
    )
    again = client.post(f"/api/v1/shipping/shipments/{shipment_id}/buy/", {}, format="json")
    cost = client.get(f"/api/v1/shipping/orders/{order.pk}/shipping-cost/")

    assert rated.status_code == 201
    assert len(rated.json()["rates"]) == 3 and rated.json()["status"] == "draft"
    assert bought.status_code == 200
    body = bought.json()
    assert (body["carrier"], body["status"], body["rate_amount"]) == ("UPS", "shipped", "10.10")
    assert body["label"] == f"/api/v1/shipping/shipments/{shipment_id}/label/"
    label = client.get(body["label"])
    assert (label.status_code, label["Content-Type"]) == (200, "application/pdf")
    assert b"".join(label.streaming_content).startswith(b"%PDF")
    assert body["lines"] == [{"order_line": order.lines.get().pk, "sku": "WIDGET", "quantity": 2}]
    assert again.status_code == 200 and again.json()["carrier"] == "UPS"
    assert shippo.purchases == 1
    assert cost.json() == {"order": order.pk, "shipping_cost": "10.10"}


def test_a_viewer_cannot_buy_and_nothing_is_bought(api_client, shippo, shippo_account, stocked_order):
    order = stocked_order()
    rated = api_client("operator").post(
        f"/api/v1/shipping/orders/{order.pk}/rates/", {"account": shippo_account.pk}, format="json"
    )

    response = api_client("viewer").post(
        f"/api/v1/shipping/shipments/{rated.json()['id']}/buy/", {}, format="json"
    )

    assert response.status_code == 403
    assert shippo.purchases == 0


def test_vendor_refusal_is_502_and_transient_failure_is_503(
    api_client, shippo, shippo_account, stocked_order
):
    order = stocked_order()
    client = api_client("operator")
    shippo.fault("POST /shipments/", 400, data={"address_to": {"zip": ["This field is required."]}})
    refused = client.post(
        f"/api/v1/shipping/orders/{order.pk}/rates/", {"account": shippo_account.pk}, format="json"
    )
    shippo.fault("POST /shipments/", 503, data={"detail": "down"}, times=5)
    down = client.post(
        f"/api/v1/shipping/orders/{order.pk}/rates/", {"account": shippo_account.pk}, format="json"
    )

    assert refused.status_code == 502 and "zip" in refused.json()["detail"]
    assert down.status_code == 503 and down.has_header("Retry-After")
    assert Shipment.objects.count() == 0


def test_export_endpoint_and_fulfilment_list(
    api_client, client, shipstation, shipstation_account, stocked_order
):
    order = stocked_order()
    operator = api_client("operator")

    exported = operator.post(
        f"/api/v1/shipping/orders/{order.pk}/export/", {"account": shipstation_account.pk}, format="json"
    )
    body = shipstation.ship(f"sm-{order.pk}")
    client.post(
        f"/webhooks/shipping/{shipstation_account.webhook_token}/",
        data=__import__("json").dumps(body),
        content_type="application/json",
    )
    queued = api_client("viewer").get(f"/api/v1/channel-order-pushes/?status=queued&order={order.pk}")
    accounts = api_client("viewer").get("/api/v1/shipping/accounts/")

    assert exported.status_code == 200 and exported.json()["state"] == "exported"
    assert queued.status_code == 200
    (row,) = queued.json()["results"]
    assert row["id"] == ChannelOrderPush.objects.get().pk
    assert (row["order"], row["kind"], row["tracking_number"], row["status"]) == (
        order.pk,
        "fulfilment",
        "9400111899223100000001",
        "queued",
    )
    assert "credentials_encrypted" not in accounts.json()["results"][0]
    assert "ss-secret" not in accounts.content.decode()


def test_a_bought_label_puts_the_shipment_in_shipments_changed_since(
    api_client, shippo, shippo_account, stocked_order
):
    first = stocked_order([("WIDGET", 1)])
    second = stocked_order([("GADGET", 1)], ref="1002", channel=first.channel)
    client = api_client("operator")
    drafts = [
        client.post(
            f"/api/v1/shipping/orders/{order.pk}/rates/", {"account": shippo_account.pk}, format="json"
        ).json()["id"]
        for order in (first, second)
    ]
    Shipment.objects.update(updated_at=datetime(2026, 3, 1, tzinfo=UTC))
    mark = timezone.now()

    client.post(f"/api/v1/shipping/shipments/{drafts[1]}/buy/", {}, format="json")
    since = client.get("/api/v1/shipping/shipments/", {"updated_after": mark.isoformat()})
    before = client.get("/api/v1/shipping/shipments/", {"updated_before": mark.isoformat()})

    assert [(row["id"], row["status"]) for row in since.json()["results"]] == [(drafts[1], "shipped")]
    assert [row["id"] for row in before.json()["results"]] == [drafts[0]]
