"""Every admin page of the core loads with data present; ledger models are read-only; roles apply."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory_app.models import AverageCost, CostLayer, LayerConsumption, StockMovement, StockOperation
from inventory_app.selectors.costing import costing_settings_get
from inventory_app.services.stock import stock_adjust
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "product",
    "sku",
    "location",
    "saleschannel",
    "stocklevel",
    "stockoperation",
    "stockmovement",
    "order",
    "apitoken",
    "costingsettings",
    "costlayer",
    "layerconsumption",
    "averagecost",
]
ADDABLE = ["product", "sku", "location", "saleschannel", "apitoken"]


def _objects(data, model: str = ""):
    if model == "layerconsumption":
        stock_adjust(sku=data.other, location=data.wh2, delta=-1, reason_detail="damaged")
        return LayerConsumption.objects.get()
    if model == "averagecost":
        return AverageCost.objects.create(sku=data.other, location=data.wh2)
    if model == "costingsettings":
        return costing_settings_get()
    return {
        "product": data.sku.product,
        "sku": data.sku,
        "location": data.wh1,
        "saleschannel": data.channel,
        "stocklevel": data.sku.levels.get(location=data.wh1),
        "stockoperation": data.operation,
        "stockmovement": data.operation.movements.get(),
        "order": data.order,
        "apitoken": data.token,
        "costlayer": CostLayer.objects.filter(sku=data.sku).first(),
    }[model]


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_change_page_load_for_superuser(superuser_client, data, model):
    obj = _objects(data, model)

    changelist = superuser_client.get(reverse(f"admin:inventory_app_{model}_changelist"))
    change = superuser_client.get(reverse(f"admin:inventory_app_{model}_change", args=[obj.pk]))

    assert changelist.status_code == 200
    assert change.status_code == 200
    assert changelist.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", ADDABLE)
def test_add_page_loads(superuser_client, data, model):
    assert superuser_client.get(reverse(f"admin:inventory_app_{model}_add")).status_code == 200


def test_site_header_and_index(superuser_client):
    response = superuser_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert "Stock master" in response.content.decode()


def test_search_and_filters_answer(superuser_client, data):
    sku_list = superuser_client.get(reverse("admin:inventory_app_sku_changelist"), {"q": "400100"})
    level_list = superuser_client.get(reverse("admin:inventory_app_stocklevel_changelist"), {"q": "MUG"})
    orders = superuser_client.get(
        reverse("admin:inventory_app_order_changelist"), {"q": "TEE", "status__exact": "open"}
    )

    assert [s.code for s in sku_list.context["cl"].result_list] == ["TEE"]
    assert [(lv.sku.code, lv.on_hand) for lv in level_list.context["cl"].result_list] == [("MUG", 4)]
    assert [o.external_ref for o in orders.context["cl"].result_list] == ["A-100"]


def test_sku_list_shows_stock_and_available_with_a_fixed_number_of_queries(superuser_client, data):
    url = reverse("admin:inventory_app_sku_changelist")
    with CaptureQueriesContext(connection) as few:
        first = superuser_client.get(url)
    for _ in range(12):
        SKUFactory()
    with CaptureQueriesContext(connection) as many:
        superuser_client.get(url)

    rows = {s.code: s.available_units for s in first.context["cl"].result_list}
    assert rows == {"MUG": 4, "TEE": 7, "TEEPACK": 3}  # 10 on hand - 3 committed; kit: 7 // 2
    assert "WH1: 10/3" in first.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize("model", ["stockoperation", "stockmovement", "stocklevel", "costlayer"])
def test_ledger_and_levels_refuse_add_change_delete(superuser_client, data, model):
    obj = _objects(data, model)
    change_url = reverse(f"admin:inventory_app_{model}_change", args=[obj.pk])

    add = superuser_client.get(reverse(f"admin:inventory_app_{model}_add"))
    change = superuser_client.post(change_url, {"reference": "edited", "on_hand": "99"})
    delete = superuser_client.post(
        reverse(f"admin:inventory_app_{model}_delete", args=[obj.pk]), {"post": "yes"}
    )
    bulk = superuser_client.post(
        reverse(f"admin:inventory_app_{model}_changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )

    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert bulk.status_code == 200  # no such action: the list is shown again
    assert (
        "delete_selected"
        not in superuser_client.get(reverse(f"admin:inventory_app_{model}_changelist")).content.decode()
    )
    obj.refresh_from_db()
    assert StockMovement.objects.count() == 3  # 2 receipts + 1 reservation
    assert StockOperation.objects.filter(reference="edited").count() == 0
    assert data.sku.levels.get(location=data.wh1).on_hand == 10


def test_viewer_role_sees_pages_but_cannot_add_or_operate(admin_client_for, data):
    client = admin_client_for("viewer")

    assert client.get(reverse("admin:inventory_app_sku_changelist")).status_code == 200
    assert client.get(reverse("admin:inventory_app_stockmovement_changelist")).status_code == 200
    assert client.get(reverse("admin:inventory_app_sku_add")).status_code == 403
    assert client.get(reverse("admin:inventory_app_sku_import")).status_code == 403
    response = client.post(
        reverse("admin:inventory_app_sku_stock", args=[data.sku.pk]),
        {"operation": "count", "count-location": data.wh1.pk, "count-counted": 1, "count-token": "x"},
    )
    assert response.status_code == 403
    assert data.sku.levels.get(location=data.wh1).on_hand == 10


def test_staff_without_role_sees_nothing(admin_client_for, data):
    client = admin_client_for("")

    assert client.get(reverse("admin:inventory_app_sku_changelist")).status_code == 403
