"""The channel admin: health columns, write-only credentials, explanation, retry action."""

from __future__ import annotations

import pytest

from channels_app.models import ChannelAccount, Listing
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(UserFactory(role="manager"))
    return client


def test_account_added_in_the_admin_keeps_its_credentials_secret(manager_client, shops):
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=1)

    response = manager_client.post(
        "/admin/channels_app/channelaccount/add/",
        {
            "kind": "generic",
            "name": "Admin shop",
            "base_url": shop.base_url,
            "options": "{}",
            "enabled": "on",
            "buffer": 0,
            "percentage": 100,
            "min_published": 0,
            "poll_interval_seconds": 120,
            "credentials_json": '{"api_key": "ADMIN-SECRET", "webhook_secret": "w"}',
        },
    )
    account = ChannelAccount.objects.get()
    page = manager_client.get(f"/admin/channels_app/channelaccount/{account.pk}/change/")
    listing_page = manager_client.get("/admin/channels_app/channelaccount/")

    assert response.status_code == 302, response.content[:2000]
    assert account.sales_channel.name == "Admin shop"
    assert "ADMIN-SECRET" not in account.credentials_encrypted
    assert page.status_code == 200 and b"ADMIN-SECRET" not in page.content
    assert listing_page.status_code == 200 and b"Admin shop" in listing_page.content


def test_listing_page_explains_its_quantity_and_retry_clears_the_backoff(manager_client, shops, connect):
    location = LocationFactory(code="A")
    sku = SKUFactory(code="S1")
    stock_receive(sku=sku, location=location, quantity=4)
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=1)
    account = connect(shop, "Shop")
    listing = Listing.objects.get(account=account)
    Listing.objects.filter(pk=listing.pk).update(push_failures=3, next_attempt_at="2099-01-01T00:00:00Z")

    page = manager_client.get(f"/admin/channels_app/listing/{listing.pk}/change/")
    retried = manager_client.post(
        "/admin/channels_app/listing/", {"action": "retry_push", "_selected_action": [listing.pk]}
    )
    listing.refresh_from_db()

    assert b"on hand 4 - committed 0 at A = 4" in page.content
    assert retried.status_code == 302
    assert (listing.next_attempt_at, listing.needs_push) == (None, True)
    for name in ("inboundevent", "pushrecord", "driftrecord", "listing"):
        assert manager_client.get(f"/admin/channels_app/{name}/").status_code == 200
