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
            "adaptive_buffer": "on",
            "oversell_risk_percent": "1.00",
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


def test_register_webhooks_action_subscribes_the_channel_to_this_site(manager_client, settings, fake_shopify):
    from channels_app.services.accounts import account_create

    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    location_gid = next(iter(fake_shopify.state.locations.values())).gid
    account = account_create(
        kind="shopify",
        name="Linen shop",
        base_url=fake_shopify.url,
        credentials={"access_token": fake_shopify.access_token, "webhook_secret": fake_shopify.client_secret},
        options={"api_version": "2026-10", "location_id": location_gid},
        schedule=False,
    )

    response = manager_client.post(
        "/admin/channels_app/channelaccount/",
        {"action": "register_webhooks", "_selected_action": [account.pk]},
        secure=True,
    )
    account.refresh_from_db()

    expected = f"https://testserver/webhooks/channels/{account.webhook_token}/"
    assert response.status_code == 302
    assert (account.webhooks_url, account.webhooks_error) == (expected, "")
    assert sorted(s.callback_url for s in fake_shopify.state.subscriptions.values()) == [expected] * 5


def test_viewer_cannot_go_live_or_unlink_through_admin_actions(client, shop_a):
    _, account, sku, _ = shop_a
    ChannelAccount.objects.filter(pk=account.pk).update(dry_run=True)
    listing = Listing.objects.get(account=account)
    client.force_login(UserFactory(role="viewer"))

    live = client.post(
        "/admin/channels_app/channelaccount/",
        {"action": "go_live", "_selected_action": [account.pk]},
    )
    unlink = client.post(
        "/admin/channels_app/listing/", {"action": "unlink", "_selected_action": [listing.pk]}
    )

    assert live.status_code == unlink.status_code == 200  # the list again, nothing run
    assert ChannelAccount.objects.get(pk=account.pk).dry_run is True
    assert Listing.objects.get(pk=listing.pk).sku_id == sku.pk


def test_operator_unlinks_through_the_admin_action(client, shop_a):
    _, account, _, _ = shop_a
    listing = Listing.objects.get(account=account)
    client.force_login(UserFactory(role="operator"))

    response = client.post(
        "/admin/channels_app/listing/", {"action": "unlink", "_selected_action": [listing.pk]}
    )

    assert response.status_code == 302
    assert Listing.objects.get(pk=listing.pk).sku_id is None


def test_the_webhook_token_is_shown_in_the_admin_to_managers_only(client, shop_a):
    _, account, _, _ = shop_a
    page = f"/admin/channels_app/channelaccount/{account.pk}/change/"
    client.force_login(UserFactory(role="viewer"))
    viewer = client.get(page)
    client.force_login(UserFactory(role="manager"))
    manager = client.get(page)

    assert viewer.status_code == manager.status_code == 200
    assert account.webhook_token.encode() not in viewer.content
    assert f"/webhooks/channels/{account.webhook_token}/".encode() in manager.content


def test_the_account_page_shows_the_day_s_budget_only_for_a_channel_that_has_one(shops, connect):
    from django.contrib import admin as django_admin

    from channels_app.services.accounts import account_create

    generic = connect(shops(), "Shop")
    etsy = account_create(
        kind="etsy",
        name="Etsy shop",
        base_url="https://openapi.etsy.com/v3/application/",
        credentials={"keystring": "k", "shared_secret": "s"},
        options={"shop_id": "123"},
        schedule=False,
    )
    page = django_admin.site._registry[ChannelAccount]

    assert page.daily_calls(generic) == "-"
    assert page.daily_calls(etsy) == "calls left today: not known yet; nothing waits"
