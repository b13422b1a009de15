"""Stock reads: levels, the ledger (movements, operations), bulk availability."""

from __future__ import annotations

import pytest

from inventory_app.models import SalesChannel, StockLevel
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.stock import stock_count, stock_receive
from tests.factories import KitComponentFactory, KitFactory, LocationFactory, SKUFactory
from tests.helpers import field_errors, stock_level

pytestmark = pytest.mark.django_db


def _changed(sku, *locations) -> str:
    """The availability ``updated_at`` the API shows: the SKU's latest level change (at
    ``locations`` if given), as DRF renders it."""
    levels = StockLevel.objects.filter(sku=sku, **({"location__in": locations} if locations else {}))
    return max(levels.values_list("updated_at", flat=True)).isoformat().replace("+00:00", "Z")


def test_levels_filters_and_available(api_client):
    cup, plate = SKUFactory(code="CUP"), SKUFactory(code="PLATE")
    a, b = LocationFactory(code="A"), LocationFactory(code="B")
    stock_receive(sku=cup, location=a, quantity=5)
    stock_receive(sku=cup, location=b, quantity=1)
    stock_receive(sku=plate, location=a, quantity=2)
    viewer = api_client("viewer")

    def rows(**params):
        return [
            (r["sku_code"], r["location_code"], r["on_hand"], r["available"])
            for r in viewer.get("/api/v1/levels/", params).json()["results"]
        ]

    assert rows(sku_code="CUP") == [("CUP", "A", 5, 5), ("CUP", "B", 1, 1)]
    assert rows(sku=plate.pk) == [("PLATE", "A", 2, 2)]
    assert rows(location=b.pk) == [("CUP", "B", 1, 1)]
    assert rows(location_code="A", sku_code="PLATE") == [("PLATE", "A", 2, 2)]


def test_movements_and_operations_filters(api_client):
    cup, plate = SKUFactory(code="CUP"), SKUFactory(code="PLATE")
    a, b = LocationFactory(code="A"), LocationFactory(code="B")
    first = stock_receive(sku=cup, location=a, quantity=5, reference="PO-1")
    stock_receive(sku=plate, location=b, quantity=2, reference="PO-2")
    viewer = api_client("viewer")

    def ids(url, **params):
        response = viewer.get(url, params)
        assert response.status_code == 200, response.json()
        return [r["id"] for r in response.json()["results"]]

    cup_move = first.movements.get().pk
    assert ids("/api/v1/movements/", sku=cup.pk) == [cup_move]
    assert ids("/api/v1/movements/", sku_code="CUP") == [cup_move]
    assert ids("/api/v1/movements/", location=a.pk) == [cup_move]
    assert ids("/api/v1/movements/", reference="PO-1") == [cup_move]
    assert ids("/api/v1/movements/", reason="receipt", ordering="id")[0] == cup_move
    assert ids("/api/v1/movements/", reason="shipment") == []
    assert ids("/api/v1/movements/", created_after="2000-01-01T00:00:00Z") != []
    assert ids("/api/v1/movements/", created_before="2000-01-01T00:00:00Z") == []
    assert viewer.get("/api/v1/movements/", {"reason": "nonsense"}).status_code == 400
    assert ids("/api/v1/operations/", reference="PO-1") == [first.pk]
    detail = viewer.get(f"/api/v1/operations/{first.pk}/").json()
    assert [m["id"] for m in detail["movements"]] == [cup_move]


def test_ledger_is_read_only(api_client):
    sku, loc = SKUFactory(), LocationFactory()
    op = stock_receive(sku=sku, location=loc, quantity=5)
    manager = api_client("manager")

    assert manager.post("/api/v1/movements/", {}, format="json").status_code == 405
    assert manager.delete(f"/api/v1/movements/{op.movements.get().pk}/").status_code == 405
    assert (
        manager.patch(
            f"/api/v1/levels/{StockLevel.objects.get().pk}/", {"on_hand": 99}, format="json"
        ).status_code
        == 405
    )
    assert stock_level(sku, loc) == (5, 0)


def test_bulk_availability_by_ids_codes_and_location(api_client):
    a, b = LocationFactory(code="A"), LocationFactory(code="B")
    closed = LocationFactory(code="Q", is_sellable=False)
    cup, plate = SKUFactory(code="CUP"), SKUFactory(code="PLATE")
    stock_receive(sku=cup, location=a, quantity=5)
    stock_receive(sku=cup, location=b, quantity=2)
    stock_receive(sku=cup, location=closed, quantity=50)
    viewer = api_client("viewer")

    everywhere = viewer.get(f"/api/v1/availability/?sku={cup.pk}&code=PLATE&code=NOPE&sku=999999")
    only_b = viewer.get(f"/api/v1/availability?code=CUP&location={b.pk}")

    assert everywhere.status_code == 200
    assert everywhere.json() == {
        "locations": None,
        "results": [
            {
                "sku": cup.pk,
                "code": "CUP",
                "is_kit": False,
                "available": 7,
                "updated_at": _changed(cup, a, b),
            },
            {"sku": plate.pk, "code": "PLATE", "is_kit": False, "available": 0, "updated_at": None},
        ],
        "next": None,
        "unknown_skus": [999999],
        "unknown_codes": ["NOPE"],
    }
    assert only_b.json()["locations"] == [b.pk]
    assert only_b.json()["results"] == [
        {"sku": cup.pk, "code": "CUP", "is_kit": False, "available": 2, "updated_at": _changed(cup, b)}
    ]


def test_bulk_availability_needs_a_sku(api_client):
    response = api_client("viewer").get("/api/v1/availability/")

    assert response.status_code == 400
    assert field_errors(response) == {"sku": ["Give at least one sku id or code."]}


def test_levels_nonzero_filter(api_client):
    cup, plate, loc = SKUFactory(code="CUP"), SKUFactory(code="PLATE"), LocationFactory(code="A")
    stock_receive(sku=cup, location=loc, quantity=2)
    stock_receive(sku=plate, location=loc, quantity=1)
    stock_count(sku=plate, location=loc, counted=0)
    viewer = api_client("viewer")

    every = viewer.get("/api/v1/levels/").json()["results"]
    nonzero = viewer.get("/api/v1/levels/", {"nonzero": "true"}).json()["results"]

    assert [r["sku_code"] for r in every] == ["CUP", "PLATE"]
    assert [r["sku_code"] for r in nonzero] == ["CUP"]


def test_movements_of_one_order(api_client):
    cup, loc = SKUFactory(code="CUP"), LocationFactory(code="A")
    stock_receive(sku=cup, location=loc, quantity=5)
    channel = SalesChannel.objects.get(code="manual")
    order, _ = order_create(
        channel=channel,
        data=OrderInput(external_ref="O-1", lines=[OrderLineInput(sku_code="CUP", quantity=2)]),
    )
    order_create(
        channel=channel,
        data=OrderInput(external_ref="O-2", lines=[OrderLineInput(sku_code="CUP", quantity=1)]),
    )

    rows = api_client("viewer").get("/api/v1/movements/", {"order": order.pk}).json()["results"]

    assert [(r["reason"], r["committed_delta"], r["order_line"]) for r in rows] == [
        ("reserve", 2, order.lines.get().pk)
    ]


def test_bulk_availability_of_kits(api_client):
    loc = LocationFactory(code="A")
    cup, kit = SKUFactory(code="CUP"), KitFactory(code="PAIR")
    KitComponentFactory(kit=kit, component=cup, quantity=2)
    stock_receive(sku=cup, location=loc, quantity=7)

    response = api_client("viewer").get("/api/v1/availability/", {"code": ["PAIR", "CUP"]})

    assert response.json()["results"] == [
        {"sku": cup.pk, "code": "CUP", "is_kit": False, "available": 7, "updated_at": _changed(cup)},
        {"sku": kit.pk, "code": "PAIR", "is_kit": True, "available": 3, "updated_at": _changed(cup)},
    ]


def test_list_endpoints_do_not_query_per_row(api_client, django_assert_max_num_queries):
    locs = [LocationFactory() for _ in range(3)]
    for _ in range(8):
        sku = SKUFactory()
        for loc in locs:
            stock_receive(sku=sku, location=loc, quantity=1)
    kit = KitFactory()
    KitComponentFactory(kit=kit, component=sku, quantity=1)
    viewer = api_client("viewer")
    viewer.get("/api/v1/skus/")  # warm the token's last-used stamp and the role cache

    for url, rows in [
        ("/api/v1/skus/", 9),
        ("/api/v1/levels/", 24),
        ("/api/v1/movements/", 24),
        ("/api/v1/operations/", 24),
    ]:
        with django_assert_max_num_queries(8):
            response = viewer.get(url)
        assert len(response.json()["results"]) == rows, url


def test_levels_and_availability_take_sku_codes_where_they_take_ids(api_client):
    cup, plate = SKUFactory(code="CUP"), SKUFactory(code="PLATE")
    numeric = SKUFactory(code=str(cup.pk + 1000))  # a code made of digits stays a code
    a = LocationFactory(code="A")
    stock_receive(sku=cup, location=a, quantity=5)
    stock_receive(sku=plate, location=a, quantity=2)
    stock_receive(sku=numeric, location=a, quantity=1)
    viewer = api_client("viewer")

    by_code = viewer.get("/api/v1/levels/", {"sku": "CUP"})
    by_digits_code = viewer.get("/api/v1/levels/", {"sku": numeric.code})
    unknown = viewer.get("/api/v1/levels/", {"sku": "NOPE"})
    available = viewer.get(f"/api/v1/availability/?sku=CUP&sku={plate.pk}&sku=NOPE")

    assert by_code.status_code == 200
    assert [(r["sku_code"], r["on_hand"]) for r in by_code.json()["results"]] == [("CUP", 5)]
    assert [r["sku_code"] for r in by_digits_code.json()["results"]] == [numeric.code]
    assert (unknown.status_code, unknown.json()["results"]) == (200, [])
    assert available.status_code == 200
    assert available.json() == {
        "locations": None,
        "results": [
            {"sku": cup.pk, "code": "CUP", "is_kit": False, "available": 5, "updated_at": _changed(cup)},
            {
                "sku": plate.pk,
                "code": "PLATE",
                "is_kit": False,
                "available": 2,
                "updated_at": _changed(plate),
            },
        ],
        "next": None,
        "unknown_skus": [],
        "unknown_codes": ["NOPE"],
    }


def test_sku_references_in_other_scripts_or_too_long_are_codes_not_ids(api_client):
    cup = SKUFactory(code="CUP")
    stock_receive(sku=cup, location=LocationFactory(code="A"), quantity=5)
    arabic_indic = "".join(chr(0x660 + int(digit)) for digit in str(cup.pk))  # cup.pk's digits
    viewer = api_client("viewer")

    levels = [viewer.get("/api/v1/levels/", {"sku": value}) for value in ("\u00b2", arabic_indic, "9" * 30)]
    available = viewer.get("/api/v1/availability/", {"sku": ["\u00b2", arabic_indic, "9" * 30]})

    assert [(r.status_code, r.json()["results"]) for r in levels] == [(200, [])] * 3
    assert available.status_code == 200
    assert available.json()["results"] == []
    assert available.json()["unknown_codes"] == ["\u00b2", arabic_indic, "9" * 30]
