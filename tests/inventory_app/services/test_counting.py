"""Counting a batch of SKUs at one location: one ledger operation, all or nothing, idempotent."""

from __future__ import annotations

import pytest

from inventory_app.errors import StockError
from inventory_app.models import MovementReason, StockLevel, StockMovement, StockOperation
from inventory_app.services.counting import stock_count_batch
from inventory_app.services.stock import stock_receive
from tests.factories import KitComponentFactory, LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


def test_a_batch_of_counts_is_one_operation_recording_the_differences():
    shelf = LocationFactory(code="SHELF")
    tee, mug = SKUFactory(code="TEE"), SKUFactory(code="MUG")
    stock_receive(sku=tee, location=shelf, quantity=10)

    operation = stock_count_batch(location=shelf, counts={tee.pk: 8, mug.pk: 3}, idempotency_key="c1")
    again = stock_count_batch(location=shelf, counts={tee.pk: 8, mug.pk: 3}, idempotency_key="c1")

    levels = {lv.sku.code: lv.on_hand for lv in StockLevel.objects.select_related("sku")}
    deltas = sorted(operation.movements.values_list("sku__code", "on_hand_delta"))
    assert levels == {"TEE": 8, "MUG": 3}
    assert deltas == [("MUG", 3), ("TEE", -2)]
    assert operation.reason == MovementReason.COUNT and again.pk == operation.pk
    assert StockOperation.objects.filter(reason=MovementReason.COUNT).count() == 1


@pytest.mark.parametrize("bad", ["negative", "kit", "unknown", "empty"])
def test_a_bad_batch_changes_nothing(bad):
    shelf = LocationFactory(code="SHELF")
    tee = SKUFactory(code="TEE")
    kit = KitComponentFactory(component=tee, quantity=2).kit
    counts = {"negative": {tee.pk: -1}, "kit": {tee.pk: 4, kit.pk: 1}, "unknown": {tee.pk: 4, 999999: 1},
              "empty": {}}[bad]  # fmt: skip

    with pytest.raises(StockError):
        stock_count_batch(location=shelf, counts=counts)

    assert not StockMovement.objects.exists() and not StockLevel.objects.exists()
