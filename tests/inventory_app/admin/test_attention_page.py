"""The order list shows why an order needs attention; its page acknowledges and resolves (operators)."""

from __future__ import annotations

import pytest

from inventory_app.models import Order, OrderAttentionEvent
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(data) -> Order:
    order, _ = order_create(
        channel=data.channel, data=OrderInput(external_ref="A-200", lines=[OrderLineInput("NOSUCH", 1)])
    )
    return order


def test_order_list_shows_the_reason_on_the_flagged_order_only(admin_client_for, data, flagged):
    page = admin_client_for("viewer").get("/admin/inventory_app/order/").content.decode()

    assert page.count('class="attention-reason"') == 1
    assert "Unknown SKU(s): NOSUCH" in page
    assert f"/admin/inventory_app/order/{flagged.pk}/attention/" in page
    assert "icon-yes.svg" not in page  # no green tick on the problem order any more


def test_operator_resolves_from_the_page_and_the_history_shows_it(admin_client_for, flagged):
    client = admin_client_for("operator")
    url = f"/admin/inventory_app/order/{flagged.pk}/attention/"

    client.post(url, {"action": "acknowledge", "note": "on it"})
    response = client.post(url, {"action": "resolve", "note": "SKU linked"}, follow=True)
    page = response.content.decode()

    flagged.refresh_from_db()
    assert not flagged.needs_attention
    assert "This order does not need attention." in page
    assert page.count("<td>Resolved</td>") == 1 and "SKU linked" in page and "on it" in page
    listed = client.get("/admin/inventory_app/order/?attention=needed")
    assert list(listed.context["cl"].result_list) == []


def test_a_viewer_reads_the_page_but_cannot_resolve(admin_client_for, flagged):
    client = admin_client_for("viewer")
    url = f"/admin/inventory_app/order/{flagged.pk}/attention/"

    page = client.get(url).content.decode()
    refused = client.post(url, {"action": "resolve"})

    assert "Unknown SKU(s): NOSUCH" in page and 'value="resolve"' not in page
    assert refused.status_code == 403
    assert Order.objects.get(pk=flagged.pk).needs_attention
    assert not OrderAttentionEvent.objects.exists()


def test_resolving_twice_says_why_nothing_was_done(admin_client_for, flagged):
    client = admin_client_for("operator")
    url = f"/admin/inventory_app/order/{flagged.pk}/attention/"
    client.post(url, {"action": "resolve"})

    response = client.post(url, {"action": "resolve"}, follow=True)

    assert "Nothing was done: Order A-200 does not need attention" in response.content.decode()
    assert OrderAttentionEvent.objects.count() == 1
