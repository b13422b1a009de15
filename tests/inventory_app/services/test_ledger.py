"""The ledger service: batches, validation, idempotency, the after-commit hook."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from inventory_app import hooks
from inventory_app.errors import InsufficientStock, InvalidStockOperation
from inventory_app.models import MovementReason, StockLevel, StockMovement, StockOperation
from inventory_app.services.events.publish import events_publish_request
from inventory_app.services.ledger import StockChange, stock_apply
from tests.factories import KitComponentFactory, LocationFactory, SKUFactory
from tests.helpers import stock_level

pytestmark = pytest.mark.django_db


def test_apply_receipt_creates_level_and_one_movement():
    sku, loc = SKUFactory(), LocationFactory()

    op = stock_apply(
        changes=[StockChange(sku_id=sku.pk, location_id=loc.pk, on_hand_delta=7, unit_cost=Decimal("1.25"))],
        reason=MovementReason.RECEIPT,
        reference="po:1",
    )

    assert stock_level(sku, loc) == (7, 0)
    movement = op.movements.get()
    assert (movement.on_hand_delta, movement.committed_delta) == (7, 0)
    assert (movement.on_hand_after, movement.committed_after) == (7, 0)
    assert movement.unit_cost == Decimal("1.2500")
    assert op.reference == "po:1"
    assert op.replayed is False


def test_apply_whole_batch_refused_when_one_change_is_short():
    a, b, loc = SKUFactory(), SKUFactory(), LocationFactory()
    stock_apply(
        changes=[
            StockChange(sku_id=a.pk, location_id=loc.pk, on_hand_delta=5),
            StockChange(sku_id=b.pk, location_id=loc.pk, on_hand_delta=1),
        ],
        reason=MovementReason.RECEIPT,
    )

    with pytest.raises(InsufficientStock) as err:
        stock_apply(
            changes=[
                StockChange(sku_id=a.pk, location_id=loc.pk, committed_delta=2),
                StockChange(sku_id=b.pk, location_id=loc.pk, committed_delta=3),
            ],
            reason=MovementReason.RESERVE,
        )

    assert [(s.sku_code, s.requested, s.available, s.missing) for s in err.value.shortfalls] == [
        (b.code, 3, 1, 2)
    ]
    assert stock_level(a, loc) == (5, 0)
    assert stock_level(b, loc) == (1, 0)
    assert StockMovement.objects.filter(reason=MovementReason.RESERVE).count() == 0


def test_apply_same_idempotency_key_moves_stock_once():
    sku, loc = SKUFactory(), LocationFactory()
    change = [StockChange(sku_id=sku.pk, location_id=loc.pk, on_hand_delta=3)]

    first = stock_apply(changes=change, reason=MovementReason.RECEIPT, idempotency_key="rcv-1")
    second = stock_apply(changes=change, reason=MovementReason.RECEIPT, idempotency_key="rcv-1")

    assert second.pk == first.pk
    assert second.replayed is True
    assert stock_level(sku, loc) == (3, 0)
    assert StockMovement.objects.count() == 1
    assert StockOperation.objects.count() == 1


def test_apply_negative_on_hand_is_refused():
    sku, loc = SKUFactory(), LocationFactory()
    stock_apply(changes=[StockChange(sku_id=sku.pk, location_id=loc.pk, on_hand_delta=2)], reason="receipt")

    with pytest.raises(InsufficientStock) as err:
        stock_apply(
            changes=[StockChange(sku_id=sku.pk, location_id=loc.pk, on_hand_delta=-3)], reason="adjustment"
        )

    assert err.value.shortfalls[0].requested == 3
    assert err.value.shortfalls[0].available == 2
    assert stock_level(sku, loc) == (2, 0)


def test_apply_backorder_sku_may_commit_beyond_on_hand():
    sku, loc = SKUFactory(backorder_policy="backorder"), LocationFactory()

    stock_apply(changes=[StockChange(sku_id=sku.pk, location_id=loc.pk, committed_delta=4)], reason="reserve")

    assert stock_level(sku, loc) == (0, 4)


def test_apply_release_more_than_committed_is_invalid():
    sku, loc = SKUFactory(), LocationFactory()
    stock_apply(changes=[StockChange(sku_id=sku.pk, location_id=loc.pk, on_hand_delta=2)], reason="receipt")

    with pytest.raises(InvalidStockOperation):
        stock_apply(
            changes=[StockChange(sku_id=sku.pk, location_id=loc.pk, committed_delta=-1)], reason="release"
        )

    assert StockMovement.objects.count() == 1


def test_apply_kit_has_no_stock():
    kit = KitComponentFactory().kit

    with pytest.raises(InvalidStockOperation, match="Kits have no stock"):
        stock_apply(
            changes=[StockChange(sku_id=kit.pk, location_id=LocationFactory().pk, on_hand_delta=1)],
            reason="receipt",
        )

    assert not StockLevel.objects.filter(sku=kit).exists()


def test_apply_count_sets_absolute_and_records_difference():
    sku, loc = SKUFactory(), LocationFactory()
    stock_apply(changes=[StockChange(sku_id=sku.pk, location_id=loc.pk, on_hand_delta=10)], reason="receipt")

    op = stock_apply(changes=[StockChange(sku_id=sku.pk, location_id=loc.pk, set_on_hand=6)], reason="count")

    assert stock_level(sku, loc) == (6, 0)
    assert op.movements.get().on_hand_delta == -4


def test_database_refuses_negative_on_hand_even_without_the_service():
    sku, loc = SKUFactory(), LocationFactory()
    level = StockLevel.objects.create(sku=sku, location=loc, on_hand=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(pk=level.pk).update(on_hand=-1)


def test_database_refuses_committed_above_on_hand_without_backorder():
    level = StockLevel.objects.create(sku=SKUFactory(), location=LocationFactory(), on_hand=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(pk=level.pk).update(committed=2)


@pytest.mark.embedded
def test_ledger_rows_cannot_be_updated_or_deleted():
    sku, loc = SKUFactory(), LocationFactory()
    op = stock_apply(
        changes=[StockChange(sku_id=sku.pk, location_id=loc.pk, on_hand_delta=1)], reason="receipt"
    )
    movement = op.movements.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.filter(pk=movement.pk).update(on_hand_delta=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockOperation.objects.filter(pk=op.pk).update(reason="adjustment")
    if connection.vendor == "postgresql":  # SQLite: deletes are left to the foreign keys (0007)
        with pytest.raises(IntegrityError), transaction.atomic():
            StockMovement.objects.filter(pk=movement.pk).delete()
    assert StockMovement.objects.get(pk=movement.pk).on_hand_delta == 1
    assert StockOperation.objects.get(pk=op.pk).reason == "receipt"


def test_apply_notifies_listeners_after_commit_with_kits_included(on_commit):
    component, loc = SKUFactory(), LocationFactory()
    kit = KitComponentFactory(component=component, quantity=2).kit
    outer = KitComponentFactory(component=kit, quantity=1).kit
    seen: list[frozenset[int]] = []
    hooks.availability_listener_register(seen.append)
    try:
        with on_commit(execute=True) as callbacks:
            stock_apply(
                changes=[StockChange(sku_id=component.pk, location_id=loc.pk, on_hand_delta=4)],
                reason="receipt",
            )
            assert seen == []
    finally:
        hooks.availability_listener_unregister(seen.append)

    # The ledger's notification, and the request to publish the change's events.
    assert [getattr(c, "func", c) for c in callbacks] == [
        events_publish_request,
        hooks.availability_changed_notify,
    ]
    assert seen == [frozenset({component.pk, kit.pk, outer.pk})]


def test_apply_at_unsellable_location_does_not_notify(on_commit):
    sku, quarantine = SKUFactory(), LocationFactory(is_sellable=False)
    seen: list[frozenset[int]] = []
    hooks.availability_listener_register(seen.append)
    try:
        with on_commit(execute=True):
            stock_apply(
                changes=[StockChange(sku_id=sku.pk, location_id=quarantine.pk, on_hand_delta=4)],
                reason="receipt",
            )
    finally:
        hooks.availability_listener_unregister(seen.append)

    assert seen == []
