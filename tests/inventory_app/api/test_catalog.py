"""Catalog endpoints: products, SKUs (filters, search, kits, availability), locations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory_app.models import SKU, KitComponent, Location, Product, StockLevel
from inventory_app.services.stock import stock_receive
from tests.factories import (
    KitComponentFactory,
    KitFactory,
    LocationFactory,
    ProductFactory,
    SKUFactory,
)
from tests.helpers import field_errors, problem

pytestmark = pytest.mark.django_db


def test_product_create_update_and_list(api_client):
    manager = api_client("manager")

    created = manager.post("/api/v1/products/", {"name": "Mug", "brand": "Acme"}, format="json")
    assert created.status_code == 201
    product = Product.objects.get()
    assert created.json()["id"] == product.pk
    assert (created.json()["name"], created.json()["brand"], created.json()["description"]) == (
        "Mug",
        "Acme",
        "",
    )

    patched = manager.patch(f"/api/v1/products/{product.pk}/", {"description": "Big"}, format="json")
    assert patched.status_code == 200
    product.refresh_from_db()
    assert (product.name, product.brand, product.description) == ("Mug", "Acme", "Big")

    listed = api_client("viewer").get("/api/v1/products/", {"search": "acm"})
    assert [p["id"] for p in listed.json()["results"]] == [product.pk]


def test_product_create_without_name_is_400_with_field_detail(api_client):
    response = api_client("manager").post("/api/v1/products/", {"brand": "Acme"}, format="json")

    assert response.status_code == 400
    assert field_errors(response) == {"name": ["This field is required."]}
    assert Product.objects.count() == 0


def test_sku_create_returns_every_field(api_client):
    product = ProductFactory()

    response = api_client("manager").post(
        "/api/v1/skus/",
        {
            "code": " TEE-RED-M ",
            "name": "Tee red M",
            "product": product.pk,
            "barcode": "4006381333931",
            "attributes": {"colour": "red", "size": "M"},
            "weight_grams": "180.5",
            "default_unit_cost": "3.2",
            "backorder_policy": "backorder",
        },
        format="json",
    )

    assert response.status_code == 201
    sku = SKU.objects.get()
    body = response.json()
    assert body == {
        "id": sku.pk,
        "code": "TEE-RED-M",
        "barcode": "4006381333931",
        "name": "Tee red M",
        "product": product.pk,
        "attributes": {"colour": "red", "size": "M"},
        "weight_grams": "180.50",
        "default_unit_cost": "3.2000",
        "is_active": True,
        "is_kit": False,
        "backorder_policy": "backorder",
        "components": [],
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert sku.default_unit_cost == Decimal("3.2")


def test_sku_create_field_errors(api_client):
    SKUFactory(code="DUP", barcode="111")

    response = api_client("manager").post(
        "/api/v1/skus/",
        {"code": "DUP", "name": "x", "weight_grams": "-1", "backorder_policy": "maybe"},
        format="json",
    )

    assert response.status_code == 400
    assert field_errors(response) == {
        "weight_grams": ["Ensure this value is greater than or equal to 0."],
        "backorder_policy": ['"maybe" is not a valid choice.'],
    }
    assert SKU.objects.count() == 1


def test_sku_create_duplicate_code_or_barcode_is_400(api_client):
    SKUFactory(code="DUP", barcode="111")
    manager = api_client("manager")

    dup_code = manager.post("/api/v1/skus/", {"code": "DUP", "name": "x"}, format="json")
    dup_barcode = manager.post("/api/v1/skus/", {"code": "NEW", "name": "x", "barcode": "111"}, format="json")

    assert dup_code.status_code == 400
    assert field_errors(dup_code) == {"code": ["SKU with this SKU already exists."]}
    assert dup_barcode.status_code == 400
    assert list(field_errors(dup_barcode)) == ["non_field_errors"]
    assert SKU.objects.count() == 1


def test_sku_patch_changes_only_given_fields_and_backorder_flag_on_levels(api_client):
    sku, loc = SKUFactory(name="Old"), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=2)

    response = api_client("manager").patch(
        f"/api/v1/skus/{sku.pk}/", {"name": "New", "backorder_policy": "backorder"}, format="json"
    )

    assert response.status_code == 200
    sku.refresh_from_db()
    assert (sku.name, sku.code, sku.backorder_policy) == ("New", sku.code, "backorder")
    assert StockLevel.objects.get(sku=sku).allow_backorder is True


def test_sku_patch_refused_by_service_is_400_and_changes_nothing(api_client):
    sku, loc = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=loc, quantity=2)

    response = api_client("manager").patch(f"/api/v1/skus/{sku.pk}/", {"is_kit": True}, format="json")

    assert response.status_code == 400
    assert problem(response) == {
        "code": "invalid_operation",
        "detail": f"{sku.code} holds stock; it cannot become a kit",
    }
    sku.refresh_from_db()
    assert sku.is_kit is False


def test_sku_filters_and_search(api_client):
    a = SKUFactory(code="A-1", barcode="9001", name="Blue mug")
    b = SKUFactory(code="B-1", name="Red mug", is_active=False)
    kit = KitFactory(code="K-1", name="Mug pair")
    viewer = api_client("viewer")

    def codes(**params):
        response = viewer.get("/api/v1/skus/", params)
        assert response.status_code == 200
        return [row["code"] for row in response.json()["results"]]

    assert codes(code="A-1") == ["A-1"]
    assert codes(barcode="9001") == ["A-1"]
    assert codes(is_kit="true") == ["K-1"]
    assert codes(is_active="false") == ["B-1"]
    assert codes(product=a.product_id) == ["A-1"]
    assert codes(search="mug") == ["A-1", "B-1", "K-1"]
    assert codes(search="900") == ["A-1"]
    assert codes(ordering="-code") == ["K-1", "B-1", "A-1"]
    assert {b.pk, kit.pk} < {row["id"] for row in viewer.get("/api/v1/skus/").json()["results"]}


def test_kit_components_nested_and_set_through_endpoint(api_client):
    kit, cup, saucer = KitFactory(code="SET"), SKUFactory(code="CUP"), SKUFactory(code="SAUCER")
    manager = api_client("manager")

    first = manager.post(
        f"/api/v1/skus/{kit.pk}/components/", {"component": "CUP", "quantity": 2}, format="json"
    )
    second = manager.post(
        f"/api/v1/skus/{kit.pk}/components/", {"component": saucer.pk, "quantity": 1}, format="json"
    )

    assert first.status_code == 200
    assert second.status_code == 200
    assert second.json()["components"] == [
        {
            "component": cup.pk,
            "component_code": "CUP",
            "component_name": cup.name,
            "component_is_kit": False,
            "quantity": 2,
        },
        {
            "component": saucer.pk,
            "component_code": "SAUCER",
            "component_name": saucer.name,
            "component_is_kit": False,
            "quantity": 1,
        },
    ]
    detail = api_client("viewer").get(f"/api/v1/skus/{kit.pk}/").json()
    assert [(c["component_code"], c["quantity"]) for c in detail["components"]] == [("CUP", 2), ("SAUCER", 1)]

    removed = manager.post(
        f"/api/v1/skus/{kit.pk}/components/", {"component": "CUP", "quantity": 0}, format="json"
    )
    assert [c["component_code"] for c in removed.json()["components"]] == ["SAUCER"]
    assert list(KitComponent.objects.values_list("component__code", "quantity")) == [("SAUCER", 1)]


def test_kit_component_errors(api_client):
    kit, plain = KitFactory(code="SET"), SKUFactory(code="CUP")
    KitComponentFactory(kit=kit, component=plain, quantity=1)
    outer = KitFactory(code="OUTER")
    KitComponentFactory(kit=outer, component=kit, quantity=1)
    manager = api_client("manager")

    unknown = manager.post(
        f"/api/v1/skus/{kit.pk}/components/", {"component": "NOPE", "quantity": 1}, format="json"
    )
    negative = manager.post(
        f"/api/v1/skus/{kit.pk}/components/", {"component": "CUP", "quantity": -1}, format="json"
    )
    not_kit = manager.post(
        f"/api/v1/skus/{plain.pk}/components/", {"component": "SET", "quantity": 1}, format="json"
    )
    cycle = manager.post(
        f"/api/v1/skus/{kit.pk}/components/", {"component": "OUTER", "quantity": 1}, format="json"
    )
    viewer = api_client("viewer").post(
        f"/api/v1/skus/{kit.pk}/components/", {"component": "CUP", "quantity": 5}, format="json"
    )

    assert (unknown.status_code, field_errors(unknown)) == (400, {"component": ["No SKU with code 'NOPE'."]})
    assert (negative.status_code, field_errors(negative)) == (
        400,
        {"quantity": ["Ensure this value is greater than or equal to 0."]},
    )
    assert (not_kit.status_code, problem(not_kit)) == (
        400,
        {"code": "invalid_operation", "detail": "CUP is not a kit"},
    )
    assert cycle.status_code == 400
    assert cycle.json()["detail"] == "OUTER contains SET: a kit cannot contain itself"
    assert viewer.status_code == 403
    assert sorted(KitComponent.objects.values_list("kit__code", "component__code", "quantity")) == [
        ("OUTER", "SET", 1),
        ("SET", "CUP", 1),
    ]


def test_sku_availability_per_location_and_for_kits(api_client):
    shelf = LocationFactory(code="SHELF", priority=1)
    back = LocationFactory(code="BACK", priority=2, is_sellable=False)
    cup, kit = SKUFactory(code="CUP"), KitFactory(code="PAIR")
    KitComponentFactory(kit=kit, component=cup, quantity=2)
    stock_receive(sku=cup, location=shelf, quantity=5)
    stock_receive(sku=cup, location=back, quantity=4)
    viewer = api_client("viewer")

    plain = viewer.get(f"/api/v1/skus/{cup.pk}/availability/").json()
    kit_body = viewer.get(f"/api/v1/skus/{kit.pk}/availability").json()

    assert plain == {
        "sku": cup.pk,
        "code": "CUP",
        "is_kit": False,
        "available": 5,
        "locations": [
            {
                "location": shelf.pk,
                "location_code": "SHELF",
                "is_sellable": True,
                "on_hand": 5,
                "committed": 0,
                "available": 5,
            },
            {
                "location": back.pk,
                "location_code": "BACK",
                "is_sellable": False,
                "on_hand": 4,
                "committed": 0,
                "available": 4,
            },
        ],
    }
    assert kit_body["available"] == 2
    assert [(row["location_code"], row["on_hand"], row["available"]) for row in kit_body["locations"]] == [
        ("SHELF", None, 2),
        ("BACK", None, 2),
    ]


def test_location_create_update_and_refuse_deactivating_with_stock(api_client):
    manager = api_client("manager")

    created = manager.post(
        "/api/v1/locations/",
        {"code": "MAIN", "name": "Main", "priority": 5, "address": {"city": "Oslo"}},
        format="json",
    )
    assert created.status_code == 201
    location = Location.objects.get(code="MAIN")
    assert (location.priority, location.is_sellable, location.address) == (5, True, {"city": "Oslo"})

    duplicate = manager.post("/api/v1/locations/", {"code": "MAIN", "name": "Again"}, format="json")
    assert (duplicate.status_code, field_errors(duplicate)) == (
        400,
        {"code": ["Location with this Code already exists."]},
    )

    stock_receive(sku=SKUFactory(), location=location, quantity=1)
    refused = manager.patch(f"/api/v1/locations/{location.pk}/", {"is_active": False}, format="json")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "MAIN holds stock; move or count it out first"
    location.refresh_from_db()
    assert location.is_active is True

    renamed = manager.patch(f"/api/v1/locations/{location.pk}/", {"name": "Main hall"}, format="json")
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Main hall"
    assert len(api_client("viewer").get("/api/v1/locations/", {"code": "MAIN"}).json()["results"]) == 1


def test_put_and_delete_are_not_offered(api_client):
    sku = SKUFactory()
    manager = api_client("manager")

    assert (
        manager.put(f"/api/v1/skus/{sku.pk}/", {"code": "X", "name": "Y"}, format="json").status_code == 405
    )
    assert manager.delete(f"/api/v1/skus/{sku.pk}/").status_code == 405
    assert SKU.objects.filter(pk=sku.pk).exists()
