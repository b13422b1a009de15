"""Shipments reported to Rakuten: one item by settrackingpackageinfos, several by the
importitemshippingstatus file; an unknown carrier needs a tracking URL ("Autre")."""

from __future__ import annotations

import pytest

from channels_app.connectors.dto import FulfilmentDTO
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.rakuten.answers import account_sales_answer

from .conftest import connector_of

pytestmark = pytest.mark.django_db


def test_one_item_is_reported_with_settrackingpackageinfos(rakuten, stocked):
    account, _sku, _location = stocked(on_hand=3)
    sale = rakuten.state.buy("LINEN-1", 1)
    account_sales_answer(account_id=account.pk)
    item = sale.items[0]

    connector_of(account).fulfilment_push(
        fulfilment=FulfilmentDTO(
            order_external_id=sale.purchase_id,
            lines={item.item_id: 1},
            carrier="colissimo",
            tracking_number="6A1",
        )
    )

    assert item.tracking == {"transporter_name": "Colissimo", "tracking_number": "6A1", "tracking_url": ""}
    assert rakuten.calls["settrackingpackageinfos"] == 1


def test_several_items_are_reported_in_one_shipping_file(rakuten, stocked):
    account, _sku, _location = stocked(on_hand=3)
    sale = rakuten.state.buy("LINEN-1", 2)
    account_sales_answer(account_id=account.pk)

    connector_of(account).fulfilment_push(
        fulfilment=FulfilmentDTO(
            order_external_id=sale.purchase_id,
            lines={item.item_id: 1 for item in sale.items},
            carrier="Courier Ltd",
            tracking_number="CL-9",
            tracking_url="https://track.example/CL-9",
        )
    )

    (rows,) = rakuten.state.shipping_files
    assert [(r["itemid"], r["transporter"], r["trackingnumber"]) for r in rows] == [
        (item.item_id, "Autre", "CL-9") for item in sale.items
    ]
    assert [item.status for item in sale.items] == ["SHIPPED", "SHIPPED"]


def test_an_unknown_carrier_without_a_tracking_url_is_refused_before_any_call(rakuten, connect):
    connector = connector_of(connect(rakuten))

    with pytest.raises(ConnectorError, match="add the tracking URL"):
        connector.fulfilment_push(
            fulfilment=FulfilmentDTO(
                order_external_id="1", lines={"2": 1}, carrier="Courier Ltd", tracking_number="X"
            )
        )

    assert sum(rakuten.calls.values()) == 0
