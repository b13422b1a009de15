"""Admin: accounts keep credentials write-only; Shippo rate-and-buy pages; read-only outbox."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from shipping_app.crypto import credentials_decrypt
from shipping_app.models import Shipment, ShippingAccount

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(user)
    return client


def test_account_created_in_the_admin_has_encrypted_credentials_never_shown(admin_client, shipstation):
    response = admin_client.post(
        "/admin/shipping_app/shippingaccount/add/",
        {
            "provider": "shipstation",
            "name": "SS",
            "base_url": shipstation.base_url,
            "options": "{}",
            "enabled": "on",
            "export_orders": "on",
            "credentials": "api_key=ss-key\napi_secret=ss-secret",
        },
    )
    account = ShippingAccount.objects.get()
    page = admin_client.get(f"/admin/shipping_app/shippingaccount/{account.pk}/change/")

    assert response.status_code == 302
    assert credentials_decrypt(token=account.credentials_encrypted) == {
        "api_key": "ss-key",
        "api_secret": "ss-secret",
    }
    assert "ss-secret" not in account.credentials_encrypted
    assert "ss-secret" not in page.content.decode()


def test_account_without_its_credentials_is_refused(admin_client, shipstation):
    response = admin_client.post(
        "/admin/shipping_app/shippingaccount/add/",
        {
            "provider": "shipstation",
            "name": "SS",
            "base_url": shipstation.base_url,
            "options": "{}",
            "credentials": "",
        },
    )

    assert response.status_code == 200
    assert "Missing: api_key, api_secret" in response.content.decode()
    assert ShippingAccount.objects.count() == 0


def test_rate_an_order_then_buy_from_the_admin(admin_client, shippo, shippo_account, stocked_order):
    order = stocked_order()

    rated = admin_client.post(
        "/admin/shipping_app/shipment/rate-order/", {"account": shippo_account.pk, "order": order.pk}
    )
    shipment = Shipment.objects.get()
    form = admin_client.get(rated["Location"])
    bought = admin_client.post(rated["Location"], {"rate": "", "carriers": "UPS"})

    assert rated.status_code == 302 and rated["Location"].endswith(f"/{shipment.pk}/buy/")
    assert "Ground Advantage" in form.content.decode()
    assert bought.status_code == 302
    shipment.refresh_from_db()
    assert (shipment.carrier, shipment.status) == ("UPS", "shipped")
    assert shippo.purchases == 1
    assert admin_client.get("/admin/shipping_app/shipment/").status_code == 200
    assert admin_client.get("/admin/channels_app/channelorderpush/").status_code == 200
