"""Availability rows of named SKUs and of the SKUs whose figure changed in a window."""

from __future__ import annotations

from datetime import timedelta

import pytest

from inventory_app.models import StockLevel
from inventory_app.selectors.availability_lists import (
    AvailabilityRow,
    NamedAvailability,
    sku_availability_changed,
    sku_availability_named,
    sku_availability_rows,
)
from inventory_app.services.stock import stock_receive
from tests.factories import KitComponentFactory, KitFactory, LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


def _updated(sku):
    return StockLevel.objects.get(sku=sku).updated_at


def test_named_skus_come_sorted_by_code_with_the_ids_and_codes_that_name_none():
    shelf = LocationFactory()
    plate, cup, empty = SKUFactory(code="PLATE"), SKUFactory(code="CUP"), SKUFactory(code="EMPTY")
    kit = KitFactory(code="SET")
    KitComponentFactory(kit=kit, component=cup, quantity=2)
    stock_receive(sku=cup, location=shelf, quantity=5)
    stock_receive(sku=plate, location=shelf, quantity=1)

    named = sku_availability_named(
        ids=[plate.pk, 999_999, 999_999], codes=["SET", "CUP", "EMPTY", "NOPE", "PLATE"], location_ids=None
    )

    assert named == NamedAvailability(
        rows=[
            AvailabilityRow(cup.pk, "CUP", False, 5, _updated(cup)),
            AvailabilityRow(empty.pk, "EMPTY", False, 0, None),
            AvailabilityRow(plate.pk, "PLATE", False, 1, _updated(plate)),
            AvailabilityRow(kit.pk, "SET", True, 2, _updated(cup)),
        ],
        unknown_ids=[999_999],
        unknown_codes=["NOPE"],
    )


def test_named_skus_keep_only_those_changed_in_the_window_at_the_locations_asked():
    shelf, other = LocationFactory(), LocationFactory()
    cup, plate = SKUFactory(code="CUP"), SKUFactory(code="PLATE")
    stock_receive(sku=cup, location=shelf, quantity=5)
    stock_receive(sku=plate, location=other, quantity=3)
    since = _updated(plate)
    StockLevel.objects.filter(sku=cup).update(updated_at=since - timedelta(minutes=1))  # before the window

    window = sku_availability_named(ids=[], codes=["CUP", "PLATE"], location_ids=None, updated_after=since)
    at_shelf = sku_availability_named(ids=[cup.pk, plate.pk], codes=[], location_ids=[shelf.pk])

    assert window.rows == [AvailabilityRow(plate.pk, "PLATE", False, 3, since)]
    assert at_shelf.rows == [
        AvailabilityRow(cup.pk, "CUP", False, 5, since - timedelta(minutes=1)),
        AvailabilityRow(plate.pk, "PLATE", False, 0, None),
    ]


def test_changed_skus_come_by_id_and_their_rows_in_that_order():
    shelf = LocationFactory()
    plate, cup = SKUFactory(code="PLATE"), SKUFactory(code="CUP")
    SKUFactory(code="NEVER")
    stock_receive(sku=cup, location=shelf, quantity=5)
    stock_receive(sku=plate, location=shelf, quantity=1)

    changed = sku_availability_changed(location_ids=None, updated_after=_updated(cup), updated_before=None)
    rows = sku_availability_rows(skus=changed, location_ids=None)

    assert [s.code for s in changed] == ["PLATE", "CUP"]  # by id: PLATE was made first
    assert rows == [
        AvailabilityRow(plate.pk, "PLATE", False, 1, _updated(plate)),
        AvailabilityRow(cup.pk, "CUP", False, 5, _updated(cup)),
    ]
