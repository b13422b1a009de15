"""Searching the order list through its selector: each word narrows, a quoted phrase is one word."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from tests.factories import SalesChannelFactory

pytestmark = pytest.mark.django_db


def test_order_search_ands_its_words_and_keeps_a_quoted_phrase_whole(superuser_client):
    channel = SalesChannelFactory()
    for ref, name, sku in (
        ("W-1", "Ada Lovelace", "TEE"),
        ("W-2", "Ada Byron", "MUG"),
        ("W-3", "Lovelace Ada", "TEE"),
    ):
        data = OrderInput(
            external_ref=ref, customer_name=name, lines=[OrderLineInput(sku_code=sku, quantity=1)]
        )
        order_create(channel=channel, data=data, shortage="flag")
    url = reverse("admin:inventory_app_order_changelist")

    def refs(q: str) -> list[str]:
        response = superuser_client.get(url, {"q": q})
        assert response.status_code == 200
        return sorted(o.external_ref for o in response.context["cl"].result_list)

    assert refs("ada tee") == ["W-1", "W-3"]  # a name word and a line's SKU
    assert refs('"Ada Lovelace"') == ["W-1"]
    assert refs("ada byron mug") == ["W-2"]
    assert refs("ada nothing") == []
