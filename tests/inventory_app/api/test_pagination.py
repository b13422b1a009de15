"""Keyset cursor pages: stable under inserts, opaque, tied to their ordering, nulls last."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from inventory_app.models import Order, StockMovement
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SalesChannelFactory, SKUFactory
from tests.helpers import field_errors

pytestmark = pytest.mark.django_db


def _pages(client, url, params):
    """Every page's ids, following ``next`` (and checking the Link header says the same)."""
    pages, response = [], client.get(url, params)
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        pages.append([row["id"] for row in body["results"]])
        if body["next"] is None:
            assert "Link" not in response.headers
            return pages
        assert response.headers["Link"] == f'<{body["next"]}>; rel="next"'
        response = client.get(body["next"])


def test_movements_inserted_between_two_pages_appear_once_and_are_not_skipped(api_client):
    sku, location = SKUFactory(), LocationFactory()
    for _ in range(6):
        stock_receive(sku=sku, location=location, quantity=1)
    viewer = api_client("viewer")

    first = viewer.get("/api/v1/movements/", {"page_size": 4}).json()
    for _ in range(5):  # the issue: 5 movements booked between reading page 1 and page 2
        stock_receive(sku=sku, location=location, quantity=1)
    rest = _pages(viewer, first["next"], {})

    seen = [row["id"] for row in first["results"]] + [pk for page in rest for pk in page]
    assert seen == list(StockMovement.objects.order_by("pk").values_list("pk", flat=True))
    assert len(seen) == 11


def test_newest_first_pages_never_repeat_a_row_when_rows_are_inserted(api_client):
    sku, location = SKUFactory(), LocationFactory()
    for _ in range(6):
        stock_receive(sku=sku, location=location, quantity=1)
    before = list(StockMovement.objects.order_by("-pk").values_list("pk", flat=True))
    viewer = api_client("viewer")

    first = viewer.get("/api/v1/movements/", {"page_size": 4, "ordering": "-id"}).json()
    for _ in range(5):
        stock_receive(sku=sku, location=location, quantity=1)
    rest = _pages(viewer, first["next"], {})

    assert [row["id"] for row in first["results"]] + [pk for page in rest for pk in page] == before


def test_pages_walk_a_nullable_ordering_with_nulls_last_on_any_database(api_client):
    channel = SalesChannelFactory()
    placed = datetime(2026, 1, 1, tzinfo=UTC)
    orders = [
        Order.objects.create(channel=channel, external_ref=f"R{i}", placed_at=placed + timedelta(days=i % 3))
        for i in range(5)
    ] + [Order.objects.create(channel=channel, external_ref=f"N{i}") for i in range(3)]
    viewer = api_client("viewer")

    for ordering, sign in [("placed_at", 1), ("-placed_at", -1)]:
        pages = _pages(viewer, "/api/v1/orders/", {"ordering": ordering, "page_size": 2})
        # ties broken by ascending id in both directions, then the orders without a date
        dated = sorted(
            (o for o in orders if o.placed_at), key=lambda o: (sign * o.placed_at.timestamp(), o.pk)
        )
        expected = [o.pk for o in dated] + sorted(o.pk for o in orders if o.placed_at is None)
        assert [pk for page in pages for pk in page] == expected, ordering
        assert [len(page) for page in pages] == [2, 2, 2, 2]


def test_page_size_is_bounded_and_checked(api_client):
    sku = SKUFactory()
    for _ in range(3):
        stock_receive(sku=sku, location=LocationFactory(), quantity=1)
    viewer = api_client("viewer")

    assert len(viewer.get("/api/v1/levels/", {"page_size": 2}).json()["results"]) == 2
    assert len(viewer.get("/api/v1/levels/", {"page_size": 10_000}).json()["results"]) == 3
    refused = viewer.get("/api/v1/levels/", {"page_size": "0"})
    assert refused.status_code == 400
    assert list(field_errors(refused)) == ["page_size"]


def test_a_forged_or_foreign_cursor_is_refused(api_client):
    sku, location = SKUFactory(), LocationFactory()
    for _ in range(3):
        stock_receive(sku=sku, location=location, quantity=1)
    viewer = api_client("viewer")
    by_id = viewer.get("/api/v1/movements/", {"page_size": 1}).json()["next"]
    cursor = by_id.split("cursor=")[1].split("&")[0]

    other_order = viewer.get("/api/v1/movements/", {"ordering": "-id", "cursor": cursor})
    garbage = viewer.get("/api/v1/movements/", {"cursor": "not-a-cursor"})

    assert (other_order.status_code, list(field_errors(other_order))) == (400, ["cursor"])
    assert (garbage.status_code, list(field_errors(garbage))) == (400, ["cursor"])


def test_a_cursor_with_a_value_of_the_wrong_type_is_refused(api_client):
    forged = base64.urlsafe_b64encode(json.dumps({"o": "updated_at,id", "v": ["soon", [1]]}).encode())

    response = api_client("viewer").get("/api/v1/orders/", {"cursor": forged.decode().rstrip("=")})

    assert (response.status_code, list(field_errors(response))) == (400, ["cursor"])
