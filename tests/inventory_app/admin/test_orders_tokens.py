"""Order actions (cancel, ship all) through the order services; API tokens issued and revoked."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.urls import reverse

from inventory_app.models import ApiToken, MovementReason, OrderStatus, StockLevel, StockOperation
from inventory_app.services.tokens import api_token_authenticate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _action(client, model: str, action: str, pks: list[int]):
    return client.post(
        reverse(f"admin:inventory_app_{model}_changelist"),
        {"action": action, "_selected_action": pks},
        follow=True,
    )


def _ship(client, pks: list[int], **fields):
    """Submit the "ship" page of the ship-all action with ``fields`` for every order."""
    data = {"action": "ship_all", "_selected_action": pks, "ship": "Ship"}
    for pk in pks:
        data.update({f"order-{pk}-{name}": value for name, value in fields.items()})
    return client.post(reverse("admin:inventory_app_order_changelist"), data, follow=True)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _level(data) -> tuple[int, int]:
    level = StockLevel.objects.get(sku=data.sku, location=data.wh1)
    return level.on_hand, level.committed


def test_cancel_action_releases_the_reservation(admin_client_for, data):
    assert _level(data) == (10, 3)

    response = _action(admin_client_for("operator"), "order", "cancel_orders", [data.order.pk])

    assert _messages(response) == ["1 order(s) cancelled."]
    data.order.refresh_from_db()
    assert data.order.status == OrderStatus.CANCELLED
    assert _level(data) == (10, 0)
    assert StockOperation.objects.first().reason == MovementReason.RELEASE


def test_ship_all_action_asks_carrier_and_tracking_then_ships_once_with_them(admin_client_for, data):
    client = admin_client_for("operator")

    page = _action(client, "order", "ship_all", [data.order.pk])
    level_after_page = _level(data)
    first = _ship(client, [data.order.pk], carrier="UPS", tracking_number="1Z 999 AA1 0123456784")
    again = _ship(client, [data.order.pk], carrier="", tracking_number="")

    assert page.templates[0].name == "admin/inventory_app/order/ship.html"
    assert f'name="order-{data.order.pk}-tracking_number"' in page.content.decode()
    assert level_after_page == (10, 3)
    assert _messages(first) == ["1 order(s) shipped."]
    shipment = data.order.shipments.get()
    assert (shipment.carrier, shipment.tracking_number) == ("UPS", "1Z999AA10123456784")
    assert _messages(again) == ["Not shipped: A-100: Nothing to ship"]
    data.order.refresh_from_db()
    assert data.order.status == OrderStatus.SHIPPED
    assert _level(data) == (7, 0)


def test_a_tracking_number_without_carrier_is_refused_on_the_ship_page_and_ships_nothing(
    admin_client_for, data
):
    client = admin_client_for("operator")

    response = _ship(client, [data.order.pk], carrier="", tracking_number="1Z999")
    bad_chars = _ship(client, [data.order.pk], carrier="UPS", tracking_number="1Z<script>")

    assert "say which carrier it belongs to" in response.content.decode()
    assert "letters, digits and dashes only" in bad_chars.content.decode()
    data.order.refresh_from_db()
    assert data.order.status == OrderStatus.OPEN
    assert _level(data) == (10, 3)
    assert not data.order.shipments.exists()


def test_cancel_of_a_shipped_order_is_refused(admin_client_for, data):
    client = admin_client_for("operator")
    _ship(client, [data.order.pk])

    response = _action(client, "order", "cancel_orders", [data.order.pk])

    assert _messages(response) == [
        "Not cancelled: A-100: A shipped order cannot be cancelled; create a return instead"
    ]
    data.order.refresh_from_db()
    assert data.order.status == OrderStatus.SHIPPED


def test_viewer_cannot_run_order_actions(admin_client_for, data):
    _action(admin_client_for("viewer"), "order", "cancel_orders", [data.order.pk])

    data.order.refresh_from_db()
    assert data.order.status == OrderStatus.OPEN
    assert _level(data) == (10, 3)


def test_order_add_and_delete_are_refused(superuser_client, data):
    assert superuser_client.get(reverse("admin:inventory_app_order_add")).status_code == 403
    delete = superuser_client.post(
        reverse("admin:inventory_app_order_delete", args=[data.order.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403


def test_order_page_lists_allocations(superuser_client, data):
    page = superuser_client.get(reverse("admin:inventory_app_order_change", args=[data.order.pk]))

    assert "<td>TEE</td><td>WH1</td><td>3</td><td>0</td>" in page.content.decode()


def test_token_creation_shows_the_key_once_and_stores_only_its_hash(superuser_client, data):
    owner = UserFactory(username="shopify-bot")

    response = superuser_client.post(
        reverse("admin:inventory_app_apitoken_add"),
        {"user": owner.pk, "name": "storefront", "expires_at_0": "", "expires_at_1": ""},
        follow=True,
    )

    shown = [m for m in _messages(response) if "shown only this once" in m]
    assert len(shown) == 1
    key = re.search(r"(smk_\S+)$", shown[0]).group(1)
    token = ApiToken.objects.get(name="storefront")
    assert token.user == owner
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.prefix, token.key_hash, token.name}
    assert api_token_authenticate(key=key) == token
    change_page = superuser_client.get(reverse("admin:inventory_app_apitoken_change", args=[token.pk]))
    listing = superuser_client.get(reverse("admin:inventory_app_apitoken_changelist"))
    for page in (change_page, listing):
        assert key not in page.content.decode()
        assert token.key_hash not in page.content.decode()


def test_revoke_action_stops_the_token(superuser_client, data):
    key_owner = data.token

    response = _action(superuser_client, "apitoken", "revoke", [key_owner.pk])

    assert _messages(response) == ["1 token(s) revoked."]
    key_owner.refresh_from_db()
    assert key_owner.revoked_at is not None
    assert (
        superuser_client.post(
            reverse("admin:inventory_app_apitoken_delete", args=[key_owner.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


def test_manager_cannot_issue_a_token_acting_as_a_superuser(admin_client_for, data):
    root = UserFactory(username="boss", is_superuser=True)
    client = admin_client_for("manager")

    response = client.post(
        reverse("admin:inventory_app_apitoken_add"),
        {"user": root.pk, "name": "escalate", "expires_at_0": "", "expires_at_1": ""},
    )

    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not ApiToken.objects.filter(name="escalate").exists()


def test_order_and_token_change_pages_offer_no_save(superuser_client, data):
    for url in (
        reverse("admin:inventory_app_order_change", args=[data.order.pk]),
        reverse("admin:inventory_app_apitoken_change", args=[data.token.pk]),
    ):
        page = superuser_client.get(url).content.decode()
        assert 'name="_save"' not in page
        assert 'name="_continue"' not in page
