"""?updated_after= / ?updated_before= on the lists an integrator syncs, and on availability
(kits included, though a kit has no level row of its own)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from inventory_app.models import Order, Product, PurchaseOrder, ReturnAuthorization, StockLevel
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.purchasing import PurchaseLineInput, purchase_order_create, supplier_create
from inventory_app.services.returns import ReturnLineInput, return_authorization_create
from inventory_app.services.stock import stock_receive
from tests.factories import (
    KitComponentFactory,
    KitFactory,
    LocationFactory,
    ProductFactory,
    SalesChannelFactory,
    SKUFactory,
)
from tests.helpers import field_errors

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _three_levels():
    location = LocationFactory()
    for _ in range(3):
        stock_receive(sku=SKUFactory(), location=location, quantity=1)
    return StockLevel.objects.all()


def _three_orders():
    channel = SalesChannelFactory()
    for i in range(3):
        Order.objects.create(channel=channel, external_ref=f"R{i}")
    return Order.objects.all()


def _three_purchase_orders():
    supplier, location, sku = supplier_create(code="acme", name="Acme"), LocationFactory(), SKUFactory()
    for _ in range(3):
        purchase_order_create(
            supplier=supplier, location=location, lines=[PurchaseLineInput(sku_id=sku.pk, quantity=1)]
        )
    return PurchaseOrder.objects.all()


def _three_returns():
    sku, location = SKUFactory(), LocationFactory()
    stock_receive(sku=sku, location=location, quantity=3)
    order, _ = order_create(
        channel=SalesChannelFactory(),
        data=OrderInput(external_ref="R", lines=[OrderLineInput(sku_code=sku.code, quantity=3)]),
    )
    order_ship(order=order)
    for _ in range(3):
        return_authorization_create(
            order=order, lines=[ReturnLineInput(order_line_id=order.lines.get().pk, quantity=1)]
        )
    return ReturnAuthorization.objects.all()


def _three_products():
    for _ in range(3):
        ProductFactory()
    return Product.objects.all()


def _three_skus():
    from inventory_app.models import SKU

    for _ in range(3):
        SKUFactory()
    return SKU.objects.all()


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/api/v1/orders/", _three_orders),
        ("/api/v1/levels/", _three_levels),
        ("/api/v1/purchase-orders/", _three_purchase_orders),
        ("/api/v1/returns/", _three_returns),
        ("/api/v1/products/", _three_products),
        ("/api/v1/skus/", _three_skus),
    ],
)
def test_updated_range_keeps_exactly_the_rows_changed_in_it(api_client, url, make):
    rows = list(make().order_by("pk"))
    for hours, row in enumerate(rows):  # updated at T0, T0+1h, T0+2h
        type(row).objects.filter(pk=row.pk).update(updated_at=T0 + timedelta(hours=hours))
    viewer = api_client("viewer")

    def ids(**params):
        response = viewer.get(url, params)
        assert response.status_code == 200, response.json()
        return [r["id"] for r in response.json()["results"]]

    first, second, third = (row.pk for row in rows)
    assert ids(updated_after="2026-03-01T09:00:00Z") == [second, third]
    assert ids(updated_after="2026-03-01T10:00:00+01:00") == [second, third]  # same instant
    assert ids(updated_before="2026-03-01T09:00:00Z") == [first]
    assert ids(updated_after="2026-03-01T08:30:00Z", updated_before="2026-03-01T10:00:00Z") == [second]
    # the default order is the sync order: oldest change first
    type(rows[0]).objects.filter(pk=first).update(updated_at=T0 + timedelta(hours=5))
    assert ids() == [second, third, first]


@pytest.mark.parametrize(
    "url",
    ["/api/v1/orders/", "/api/v1/levels/", "/api/v1/movements/", "/api/v1/skus/", "/api/v1/availability/"],
)
@pytest.mark.parametrize("value", ["2026-03-01T09:00:00", "yesterday", "2026-13-01T00:00:00Z"])
def test_a_naive_or_unparsable_time_is_a_400_naming_the_parameter(api_client, url, value):
    response = api_client("viewer").get(url, {"updated_after": value})

    assert response.status_code == 400
    assert list(field_errors(response)) == ["updated_after"]


def test_movements_updated_range_is_their_creation_time(api_client):
    sku, location = SKUFactory(), LocationFactory()
    old = stock_receive(sku=sku, location=location, quantity=1).movements.get()
    mark = timezone.now()
    new = stock_receive(sku=sku, location=location, quantity=1).movements.get()
    viewer = api_client("viewer")

    after = viewer.get("/api/v1/movements/", {"updated_after": mark.isoformat()}).json()["results"]
    before = viewer.get("/api/v1/movements/", {"updated_before": mark.isoformat()}).json()["results"]

    assert ([r["id"] for r in after], [r["id"] for r in before]) == ([new.pk], [old.pk])


def test_a_kit_appears_in_availability_changed_since_when_a_component_level_changes(api_client):
    location = LocationFactory(is_sellable=True)
    cup, plate, lid = SKUFactory(code="CUP"), SKUFactory(code="PLATE"), SKUFactory(code="LID")
    pair = KitFactory(code="PAIR")
    KitComponentFactory(kit=pair, component=cup, quantity=2)
    box = KitFactory(code="BOX")  # a kit of a kit: changes with CUP too
    KitComponentFactory(kit=box, component=pair, quantity=1)
    KitComponentFactory(kit=box, component=lid, quantity=1)
    for sku in (cup, plate, lid):
        stock_receive(sku=sku, location=location, quantity=4)
    StockLevel.objects.update(updated_at=T0)
    mark = timezone.now()
    stock_receive(sku=cup, location=location, quantity=2)
    viewer = api_client("viewer")

    changed = viewer.get("/api/v1/availability/", {"updated_after": mark.isoformat()})
    unchanged = viewer.get("/api/v1/availability/", {"updated_before": mark.isoformat()})
    named = viewer.get(
        "/api/v1/availability/", {"code": ["PAIR", "PLATE"], "updated_after": mark.isoformat()}
    )

    assert changed.status_code == 200, changed.json()
    cup_time = StockLevel.objects.get(sku=cup).updated_at
    assert [(r["code"], r["available"]) for r in changed.json()["results"]] == [
        ("CUP", 6),
        ("PAIR", 3),
        ("BOX", 3),
    ]
    assert {r["updated_at"] for r in changed.json()["results"]} == {
        cup_time.isoformat().replace("+00:00", "Z")
    }
    assert changed.json()["next"] is None
    assert [(r["code"], r["updated_at"]) for r in unchanged.json()["results"]] == [
        ("PLATE", "2026-03-01T08:00:00Z"),
        ("LID", "2026-03-01T08:00:00Z"),
    ]
    assert [r["code"] for r in named.json()["results"]] == ["PAIR"]


def test_availability_changed_since_pages_by_cursor(api_client):
    location = LocationFactory(is_sellable=True)
    skus = [SKUFactory() for _ in range(5)]
    for sku in skus:
        stock_receive(sku=sku, location=location, quantity=1)
    viewer = api_client("viewer")

    first = viewer.get("/api/v1/availability/", {"updated_after": "2000-01-01T00:00:00Z", "page_size": 3})
    second = viewer.get(first.json()["next"])

    assert [r["sku"] for r in first.json()["results"]] == [s.pk for s in skus[:3]]
    assert first.headers["Link"] == f'<{first.json()["next"]}>; rel="next"'
    assert [r["sku"] for r in second.json()["results"]] == [s.pk for s in skus[3:]]
    assert second.json()["next"] is None
