"""SKU, product and location forms save through the catalog services; refusals change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inventory_app.models import SKU, BackorderPolicy, KitComponent, Location, Product, StockLevel
from inventory_app.selectors.costing import costing_settings_get

pytestmark = pytest.mark.django_db


def _sku_form(sku: SKU, **changes) -> dict:
    body = {
        "code": sku.code,
        "name": sku.name,
        "product": sku.product_id or "",
        "barcode": sku.barcode,
        "is_active": "on",
        "backorder_policy": sku.backorder_policy,
        "default_unit_cost": str(sku.default_unit_cost),
        "weight_grams": str(sku.weight_grams),
        "attributes": "{}",
        "components-TOTAL_FORMS": "0",
        "components-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    if sku.is_kit:
        body["is_kit"] = "on"
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_backorder_policy_change_goes_through_sku_update(superuser_client, data):
    url = reverse("admin:inventory_app_sku_change", args=[data.sku.pk])

    response = superuser_client.post(url, _sku_form(data.sku, backorder_policy="backorder"))

    assert response.status_code == 302
    data.sku.refresh_from_db()
    assert data.sku.backorder_policy == BackorderPolicy.BACKORDER
    assert list(StockLevel.objects.filter(sku=data.sku).values_list("allow_backorder", flat=True)) == [True]


def test_refused_sku_change_saves_nothing_and_says_why(superuser_client, data):
    url = reverse("admin:inventory_app_sku_change", args=[data.sku.pk])

    response = superuser_client.post(url, _sku_form(data.sku, is_kit="on", name="Renamed"), follow=True)

    assert _messages(response) == ["Nothing was saved: TEE holds stock; it cannot become a kit"]
    data.sku.refresh_from_db()
    assert (data.sku.is_kit, data.sku.name) == (False, "Item TEE")


def test_sku_add_creates_a_kit_with_components(superuser_client, data):
    body = _sku_form(
        SKU(code="DUO", name="Duo", backorder_policy="reject", is_kit=True),
        **{
            "components-TOTAL_FORMS": "2",
            "components-0-component": data.sku.pk,
            "components-0-quantity": "1",
            "components-1-component": data.other.pk,
            "components-1-quantity": "3",
        },
    )

    response = superuser_client.post(reverse("admin:inventory_app_sku_add"), body)

    assert response.status_code == 302
    duo = SKU.objects.get(code="DUO")
    assert duo.is_kit is True
    assert sorted(KitComponent.objects.filter(kit=duo).values_list("component__code", "quantity")) == [
        ("MUG", 3),
        ("TEE", 1),
    ]


def test_kit_component_cycle_is_refused(superuser_client, data):
    inner = SKU.objects.create(code="INNER", name="Inner", is_kit=True)
    KitComponent.objects.create(kit=inner, component=data.kit, quantity=1)
    url = reverse("admin:inventory_app_sku_change", args=[data.kit.pk])
    existing = KitComponent.objects.get(kit=data.kit)
    body = _sku_form(
        data.kit,
        **{
            "components-TOTAL_FORMS": "2",
            "components-INITIAL_FORMS": "1",
            "components-0-id": existing.pk,
            "components-0-kit": data.kit.pk,
            "components-0-component": data.sku.pk,
            "components-0-quantity": "5",
            "components-1-kit": data.kit.pk,
            "components-1-component": inner.pk,
            "components-1-quantity": "1",
        },
    )

    response = superuser_client.post(url, body, follow=True)

    assert _messages(response) == ["Nothing was saved: INNER contains TEEPACK: a kit cannot contain itself"]
    assert list(KitComponent.objects.filter(kit=data.kit).values_list("component__code", "quantity")) == [
        ("TEE", 2)
    ]


def test_product_and_location_are_saved_through_services(superuser_client, data):
    superuser_client.post(
        reverse("admin:inventory_app_product_add"),
        {"name": "Mugs", "brand": "Acme", "skus-TOTAL_FORMS": "0", "skus-INITIAL_FORMS": "0"},
    )
    superuser_client.post(
        reverse("admin:inventory_app_location_add"),
        {"code": "SHOP", "name": "Shop floor", "priority": "5", "is_sellable": "on", "address": "{}"},
    )
    refused = superuser_client.post(
        reverse("admin:inventory_app_location_change", args=[data.wh1.pk]),
        {"code": "WH1", "name": "Main", "priority": "1", "is_sellable": "on", "address": "{}"},
        follow=True,
    )

    assert Product.objects.filter(name="Mugs", brand="Acme").count() == 1
    shop = Location.objects.get(code="SHOP")
    assert (shop.name, shop.priority, shop.is_sellable, shop.is_active) == ("Shop floor", 5, True, False)
    assert _messages(refused)[-1] == "Nothing was saved: WH1 holds stock; move or count it out first"
    data.wh1.refresh_from_db()
    assert (data.wh1.is_active, data.wh1.name) == (True, "Warehouse WH1")


def test_costing_method_cannot_change_once_stock_is_valued(superuser_client, data):
    settings = costing_settings_get()
    url = reverse("admin:inventory_app_costingsettings_change", args=[settings.pk])

    refused = superuser_client.post(url, {"method": "average", "currency": "USD"}, follow=True)
    currency = superuser_client.post(url, {"method": settings.method, "currency": "eur"})

    assert _messages(refused) == [
        "Nothing was saved: The costing method cannot change once stock has been valued"
    ]
    assert currency.status_code == 302
    settings.refresh_from_db()
    assert (settings.method, settings.currency) == ("fifo", "EUR")
