"""Landed cost allocation by each basis, worked by hand, and carried into the received unit cost."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory_app.models import AllocationBasis, CostLayer, LandedCost, ReceiptLine
from inventory_app.services.purchasing import (
    AllocationTarget,
    ChargeInput,
    PurchaseLineInput,
    PurchasingError,
    landed_cost_add,
    landed_cost_allocate,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
    supplier_create,
)
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db

D = Decimal


def _targets(*rows):
    return [AllocationTarget(key=k, quantity=q, value=D(v), weight=D(w)) for k, q, v, w in rows]


def test_allocate_by_quantity_gives_the_odd_cent_to_the_largest_remainder():
    # 10.00 / 3 equal units = 3.333..: 3.33 each (9.99), the missing cent goes to the first of the
    # tied remainders: 3.34 + 3.33 + 3.33 = 10.00
    shares = landed_cost_allocate(
        amount=D("10.00"),
        basis=AllocationBasis.QUANTITY,
        targets=_targets(("a", 1, "1", "0"), ("b", 1, "9", "0"), ("c", 1, "5", "0")),
    )
    assert shares == {"a": D("3.34"), "b": D("3.33"), "c": D("3.33")}


def test_allocate_by_value():
    # 10.00 over values 10 / 20 / 40 (70): 1.4285.. / 2.8571.. / 5.7142.. -> 1.42 / 2.85 / 5.71 = 9.98;
    # remainders .0085 / .0071 / .0042: the 2 missing cents go to a and b -> 1.43 / 2.86 / 5.71
    shares = landed_cost_allocate(
        amount=D("10.00"),
        basis=AllocationBasis.VALUE,
        targets=_targets(("a", 5, "10.00", "0"), ("b", 1, "20.00", "0"), ("c", 1, "40.00", "0")),
    )
    assert shares == {"a": D("1.43"), "b": D("2.86"), "c": D("5.71")}
    assert sum(shares.values()) == D("10.00")


def test_allocate_by_weight_and_refuse_a_weightless_basis():
    # 25.00 over 300 g / 500 g / 0 g (800): 9.375 / 15.625 / 0 -> 9.37 / 15.62 / 0.00 = 24.99;
    # equal remainders .005: the cent goes to the first -> 9.38 / 15.62 / 0.00
    shares = landed_cost_allocate(
        amount=D("25.00"),
        basis=AllocationBasis.WEIGHT,
        targets=_targets(("a", 3, "1", "300"), ("b", 1, "1", "500"), ("c", 2, "1", "0")),
    )
    assert shares == {"a": D("9.38"), "b": D("15.62"), "c": D("0.00")}
    with pytest.raises(PurchasingError):
        landed_cost_allocate(
            amount=D("1.00"), basis=AllocationBasis.WEIGHT, targets=_targets(("a", 3, "1", "0"))
        )


def test_po_and_receipt_charges_become_part_of_the_unit_cost():
    supplier = supplier_create(code="acme", name="Acme")
    a, b, loc = SKUFactory(weight_grams=D("100")), SKUFactory(weight_grams=D("200")), LocationFactory()
    order = purchase_order_create(
        supplier=supplier,
        lines=[
            PurchaseLineInput(sku_id=a.pk, quantity=3, unit_cost=D("10.00")),
            PurchaseLineInput(sku_id=b.pk, quantity=7, unit_cost=D("5.00")),
        ],
    )
    line_a, line_b = order.lines.order_by("pk")
    # PO freight 20.00 by quantity over 3 + 7 units: a 6.00, b 14.00
    landed_cost_add(
        purchase_order=order, charge=ChargeInput(kind="freight", amount=D("20.00"), basis="quantity")
    )
    purchase_order_send(purchase_order=order)

    first = purchase_order_receive(
        purchase_order=order,
        location=loc,
        quantities={line_a.pk: 3, line_b.pk: 4},
        charges=[ChargeInput(kind="duty", amount=D("6.50"), basis="value")],
    )

    # base a 3 x 10.00 = 30.00, b 4 x 5.00 = 20.00; duty 6.50 by value (50.00): a 3.90, b 2.60
    # a: all 3 of its 3 open units carry its whole freight 6.00 -> 30.00 + 6.00 + 3.90 = 39.90 (13.30)
    # b: 4 of its 7 open units carry 14.00 x 4 / 7 = 8.00 -> 20.00 + 8.00 + 2.60 = 30.60 (7.65)
    rows = list(
        ReceiptLine.objects.filter(receipt=first)
        .order_by("pk")
        .values_list("base_value", "po_landed_value", "receipt_landed_value", "value", "unit_cost")
    )
    assert rows == [
        (D("30.00"), D("6.00"), D("3.90"), D("39.90"), D("13.3000")),
        (D("20.00"), D("8.00"), D("2.60"), D("30.60"), D("7.6500")),
    ]
    assert LandedCost.objects.get(receipt=first).amount == D("6.50")

    second = purchase_order_receive(purchase_order=order, location=loc, quantities={line_b.pk: 3})

    # b: the last 3 units carry the freight left, 14.00 - 8.00 = 6.00 -> 15.00 + 6.00 = 21.00 (7.00)
    assert second.lines.get().value == D("21.00")
    assert list(
        CostLayer.objects.filter(sku=b).order_by("pk").values_list("value_received", "unit_cost")
    ) == [
        (D("30.60"), D("7.6500")),
        (D("21.00"), D("7.0000")),
    ]
    # everything paid ended up in stock: 30 + 35 goods + 20 freight + 6.50 duty = 91.50
    assert sum(CostLayer.objects.values_list("value_remaining", flat=True)) == D("91.50")


def test_po_charge_refused_once_receiving_started():
    supplier = supplier_create(code="acme", name="Acme")
    sku, loc = SKUFactory(), LocationFactory()
    order = purchase_order_create(supplier=supplier, lines=[PurchaseLineInput(sku_id=sku.pk, quantity=2)])
    purchase_order_send(purchase_order=order)
    purchase_order_receive(purchase_order=order, location=loc, quantities={order.lines.get().pk: 1})

    with pytest.raises(PurchasingError):
        landed_cost_add(purchase_order=order, charge=ChargeInput(kind="freight", amount=D("5.00")))

    assert not LandedCost.objects.exists()
