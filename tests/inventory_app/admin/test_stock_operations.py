"""The SKU "Stock operations" page: adjust, count and transfer through the stock services."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from inventory_app.models import MovementReason, StockLevel, StockMovement, StockOperation
from tests.helpers import stock_levels

pytestmark = pytest.mark.django_db


def _url(data) -> str:
    return reverse("admin:inventory_app_sku_stock", args=[data.sku.pk])


def _post(client, data, operation: str, token: str | None = None, **fields):
    body = {"operation": operation, f"{operation}-token": token or str(uuid.uuid4())}
    body.update({f"{operation}-{name}": value for name, value in fields.items()})
    return client.post(_url(data), body, follow=True)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_page_shows_levels_and_forms(admin_client_for, data):
    response = admin_client_for("operator").get(_url(data) + f"?location={data.wh1.pk}")

    assert response.status_code == 200
    assert response.context["available"] == 7
    assert response.context["forms"]["adjust"].initial["location"] == str(data.wh1.pk)
    assert [(lv.location.code, lv.on_hand, lv.committed) for lv in response.context["levels"]] == [
        ("WH1", 10, 3)
    ]


def test_adjust_changes_stock_and_records_the_reason(admin_client_for, data):
    client = admin_client_for("operator")

    response = _post(client, data, "adjust", location=data.wh1.pk, delta=-2, reason="damaged", note="dropped")

    assert _messages(response) == [
        f"Adjust of TEE recorded (operation #{StockOperation.objects.first().pk})."
    ]
    assert stock_levels(data.sku) == {"WH1": (8, 3)}
    operation = StockOperation.objects.first()
    assert (operation.reason, operation.reason_detail, operation.note, operation.user) == (
        MovementReason.ADJUSTMENT,
        "damaged",
        "dropped",
        client.user,
    )
    assert list(operation.movements.values_list("on_hand_delta", "on_hand_after")) == [(-2, 8)]


def test_count_sets_the_counted_figure(admin_client_for, data):
    _post(admin_client_for("operator"), data, "count", location=data.wh1.pk, counted=6, note="cycle count")

    assert stock_levels(data.sku) == {"WH1": (6, 3)}
    operation = StockOperation.objects.first()
    assert (operation.reason, operation.note) == (MovementReason.COUNT, "cycle count")
    assert list(operation.movements.values_list("on_hand_delta", "on_hand_after")) == [(-4, 6)]


def test_transfer_moves_units_between_locations(admin_client_for, data):
    _post(
        admin_client_for("operator"),
        data,
        "transfer",
        from_location=data.wh1.pk,
        to_location=data.wh2.pk,
        quantity=5,
    )

    assert stock_levels(data.sku) == {"WH1": (5, 3), "WH2": (5, 0)}
    operation = StockOperation.objects.first()
    assert operation.reason == MovementReason.TRANSFER
    assert sorted(operation.movements.values_list("location__code", "on_hand_delta")) == [
        ("WH1", -5),
        ("WH2", 5),
    ]


def test_refused_adjustment_changes_nothing_and_shows_the_error(admin_client_for, data):
    movements = StockMovement.objects.count()

    response = _post(
        admin_client_for("operator"), data, "adjust", location=data.wh1.pk, delta=-8, reason="lost"
    )

    assert response.status_code == 200
    assert _messages(response) == ["Nothing changed: Insufficient stock: TEE@WH1 needs 8, has 7"]
    assert stock_levels(data.sku) == {"WH1": (10, 3)}
    assert StockMovement.objects.count() == movements


def test_invalid_transfer_is_a_form_error(admin_client_for, data):
    response = _post(
        admin_client_for("operator"),
        data,
        "transfer",
        from_location=data.wh1.pk,
        to_location=data.wh1.pk,
        quantity=1,
    )

    assert response.context["forms"]["transfer"].errors == {"__all__": ["Choose two different locations."]}
    assert stock_levels(data.sku) == {"WH1": (10, 3)}


def test_resubmitted_form_is_applied_once(admin_client_for, data):
    client = admin_client_for("operator")
    token = str(uuid.uuid4())

    _post(client, data, "adjust", token=token, location=data.wh1.pk, delta=5, reason="found")
    again = _post(client, data, "adjust", token=token, location=data.wh1.pk, delta=5, reason="found")

    assert _messages(again) == ["This form had already been applied; nothing changed again."]
    assert stock_levels(data.sku) == {"WH1": (15, 3)}


def test_kit_has_no_stock_forms(admin_client_for, data):
    client = admin_client_for("operator")
    url = reverse("admin:inventory_app_sku_stock", args=[data.kit.pk])

    page = client.get(url)
    post = client.post(url, {"operation": "count", "count-location": data.wh1.pk, "count-counted": 1})

    assert page.context["can_operate"] is False
    assert post.status_code == 403
    assert StockLevel.objects.filter(sku=data.kit).count() == 0


def test_stock_into_an_inactive_location_is_refused_but_can_be_written_off(admin_client_for, data):
    client = admin_client_for("operator")
    data.wh1.is_active = False
    data.wh1.save()

    refused = _post(client, data, "adjust", location=data.wh1.pk, delta=1, reason="found")
    written_off = _post(client, data, "adjust", location=data.wh1.pk, delta=-2, reason="write_off")

    assert _messages(refused) == ["Nothing changed: Location WH1 is inactive"]
    assert _messages(written_off)[0].startswith("Adjust of TEE recorded")
    assert stock_levels(data.sku) == {"WH1": (8, 3)}
    assert StockOperation.objects.first().reason == MovementReason.WRITE_OFF
