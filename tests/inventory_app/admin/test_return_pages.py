"""Returns created from the admin: find the order, choose units, authorise; then receive them back."""

from __future__ import annotations

import pytest

from inventory_app.models import ReturnAuthorization, StockLevel
from inventory_app.services.orders import order_ship

pytestmark = pytest.mark.django_db

URL = "/admin/inventory_app/returnauthorization/start/"


@pytest.fixture
def shipped(data):
    order_ship(order=data.order, quantities=None, reference="test")
    return data.order


def test_operator_creates_a_return_and_restocks_it_from_the_list(admin_client_for, data, shipped):
    client = admin_client_for("operator")
    line = shipped.lines.get()
    listing = client.get("/admin/inventory_app/returnauthorization/").content.decode()

    found = client.get(URL, {"order": "A-100"}).content.decode()
    form = {f"qty-{line.pk}": "2", f"reason-{line.pk}": "damaged", f"condition-{line.pk}": "opened"}
    created = client.post(f"{URL}?order=A-100", {**form, "note": "box torn"})
    rma = ReturnAuthorization.objects.get()
    client.post(
        "/admin/inventory_app/returnauthorization/",
        {"action": "receive_restock", "_selected_action": [rma.pk]},
    )

    assert 'id="return-start"' in listing and 'id="return-submit"' in found
    assert created.status_code == 302 and created["Location"].endswith(
        f"/returnauthorization/{rma.pk}/change/"
    )
    assert list(rma.lines.values_list("quantity", "reason", "condition")) == [(2, "damaged", "opened")]
    assert StockLevel.objects.get(sku=data.sku, location=data.wh1).on_hand == 10 - 3 + 2


def test_returning_more_than_shipped_is_refused_and_creates_nothing(admin_client_for, shipped):
    client = admin_client_for("operator")
    line = shipped.lines.get()

    response = client.post(f"{URL}?order=A-100", {f"qty-{line.pk}": "5"}, follow=True)

    assert "No return was created:" in response.content.decode()
    assert not ReturnAuthorization.objects.exists()


def test_a_viewer_looks_up_but_cannot_create(admin_client_for, shipped):
    client = admin_client_for("viewer")
    line = shipped.lines.get()

    page = client.get(URL, {"order": "A-100"}).content.decode()
    refused = client.post(f"{URL}?order=A-100", {f"qty-{line.pk}": "1"})

    assert "Order A-100" in page and 'id="return-submit"' not in page
    assert refused.status_code == 403 and not ReturnAuthorization.objects.exists()


def test_an_unknown_reference_says_so(admin_client_for, data):
    page = admin_client_for("operator").get(URL, {"order": "NOPE"}).content.decode()

    assert "No order with reference NOPE." in page
