"""The channel REST API: accounts without secrets, listings link/unlink, events, state, explanation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from channels_app.models import ChannelAccount, InboundEvent, Listing
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory
from tests.helpers import field_errors

pytestmark = pytest.mark.django_db

ACCOUNTS = "/api/v1/channel-accounts/"


def _create(client, shop, **extra):
    return client.post(
        ACCOUNTS,
        {
            "kind": "generic",
            "name": "Shop",
            "base_url": shop.base_url,
            "credentials": {"api_key": shop.api_key, "webhook_secret": "WHSEC-DO-NOT-SHOW"},
            "options": {"rate_per_second": 50},
            **extra,
        },
        format="json",
    )


def test_accounts_are_created_by_managers_and_never_show_credentials(api_client, shops):
    shop = shops()
    manager, operator = api_client("manager"), api_client("operator")

    refused = _create(operator, shop)
    created = _create(manager, shop)
    listed = api_client("viewer").get(ACCOUNTS)

    assert refused.status_code == 403
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["dry_run"] is True
    assert body["webhook_url"].endswith(f"/webhooks/channels/{ChannelAccount.objects.get().webhook_token}/")
    for response in (created, listed, manager.get(f"{ACCOUNTS}{body['id']}/")):
        assert b"WHSEC-DO-NOT-SHOW" not in response.content
        assert shop.api_key.encode() not in response.content
        assert b"credentials" not in response.content


def test_unknown_kind_is_a_clear_400_and_creates_nothing(api_client, shops):
    response = _create(api_client("manager"), shops(), kind="nope")

    assert response.status_code == 400
    assert "Unknown kind" in response.content.decode()
    assert ChannelAccount.objects.count() == 0


def test_import_link_unlink_explain_and_sync_state(api_client, shops):
    location = LocationFactory(code="A")
    sku = SKUFactory(code="S1")
    stock_receive(sku=sku, location=location, quantity=8)
    shop = shops()
    shop.listing_add("L1", sku="OTHER", quantity=1)
    manager, operator = api_client("manager"), api_client("operator")
    account_id = _create(manager, shop, buffer=3).json()["id"]

    imported = operator.post(f"{ACCOUNTS}{account_id}/import-listings/")
    listing_id = Listing.objects.get().pk
    linked = operator.post(f"/api/v1/channel-listings/{listing_id}/link/", {"sku": "S1"}, format="json")
    explained = operator.get(f"/api/v1/channel-listings/{listing_id}/explanation/")
    state = operator.get(f"{ACCOUNTS}{account_id}/sync-state/")
    preview = operator.get(f"{ACCOUNTS}{account_id}/preview/")
    unlinked = operator.post(f"/api/v1/channel-listings/{listing_id}/unlink/")
    unlinked_list = operator.get("/api/v1/channel-listings/", {"sku__isnull": "true"})

    assert imported.json() == {"imported": 1, "linked": 0}
    assert (linked.status_code, linked.json()["sku_code"], linked.json()["needs_push"]) == (200, "S1", True)
    assert explained.json()["explanation"] == "on hand 8 - committed 0 at A, buffer 3 = 5"
    assert (state.json()["dirty"], state.json()["unlinked"]) == (1, 0)
    assert preview.json() == [
        {
            "listing_id": listing_id,
            "external_id": "L1",
            "sku_code": "S1",
            "channel_quantity": 1,
            "would_push": 5,
        }
    ]
    assert (unlinked.json()["sku"], [row["id"] for row in unlinked_list.json()["results"]]) == (
        None,
        [listing_id],
    )


def test_viewers_cannot_link_or_sync(api_client, shops):
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=1)
    account_id = _create(api_client("manager"), shop).json()["id"]
    viewer = api_client("viewer")

    assert viewer.post(f"{ACCOUNTS}{account_id}/sync-now/", {}, format="json").status_code == 403
    assert viewer.post(f"{ACCOUNTS}{account_id}/import-listings/").status_code == 403
    assert Listing.objects.count() == 0


def test_events_are_listed_and_only_failed_ones_retried(api_client, shops):
    shop = shops()
    account_id = _create(api_client("manager"), shop).json()["id"]
    event = InboundEvent.objects.create(
        account_id=account_id, event_id="e1", source="webhook", topic="order.created", status="processed"
    )
    operator = api_client("operator")

    listed = operator.get("/api/v1/channel-events/", {"account": account_id})
    retried = operator.post(f"/api/v1/channel-events/{event.pk}/retry/")

    assert [row["event_id"] for row in listed.json()["results"]] == ["e1"]
    assert retried.status_code == 400


def test_sync_now_polls_orders_and_pushes(api_client, shops, on_commit):
    SKUFactory(code="S1")
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=3)
    account_id = _create(api_client("manager"), shop, dry_run=False).json()["id"]
    operator = api_client("operator")
    operator.post(f"{ACCOUNTS}{account_id}/import-listings/")
    shop.buy("L1", 1)

    with on_commit(execute=True):
        response = operator.post(f"{ACCOUNTS}{account_id}/sync-now/", {}, format="json")

    account = ChannelAccount.objects.get(pk=account_id)
    assert response.status_code == 202
    assert response.json() == {"orders": True, "push": True, "reconcile": False, "listings": False}
    assert account.orders_synced_at is not None
    assert account.sales_channel.orders.count() == 1
    assert shop.quantity("L1") == 0  # no stock here: the master's figure wins


def test_sync_now_imports_listings_in_the_background_when_asked(api_client, shops, on_commit):
    SKUFactory(code="S1")
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=3)
    shop.listing_add("L2", sku="S2", quantity=1)
    account_id = _create(api_client("manager"), shop).json()["id"]
    body = {"listings": True, "orders": False, "push": False}

    with on_commit(execute=False) as queued:
        response = api_client("operator").post(f"{ACCOUNTS}{account_id}/sync-now/", body, format="json")
    before = Listing.objects.count()
    for callback in queued:
        callback()

    assert response.status_code == 202
    assert response.json() == {"orders": False, "push": False, "reconcile": False, "listings": True}
    assert before == 0  # nothing imported inside the request
    assert dict(Listing.objects.values_list("external_id", "sku__code")) == {"L1": "S1", "L2": None}


def test_register_webhooks_action_registers_to_this_site_and_go_live_does_too(
    api_client,
    settings,
    fake_shopify,
):
    from channels_app.services.accounts import account_create

    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    account = account_create(
        kind="shopify",
        name="Linen shop",
        base_url=fake_shopify.url,
        credentials={"access_token": fake_shopify.access_token, "webhook_secret": fake_shopify.client_secret},
        options={
            "api_version": "2026-10",
            "location_id": next(iter(fake_shopify.state.locations.values())).gid,
        },
        dry_run=True,
        schedule=False,
    )
    manager = api_client("manager")
    expected = f"https://testserver/webhooks/channels/{account.webhook_token}/"

    refused = api_client("operator").post(f"{ACCOUNTS}{account.pk}/register-webhooks/", secure=True)
    registered = manager.post(f"{ACCOUNTS}{account.pk}/register-webhooks/", secure=True)
    live = manager.post(f"{ACCOUNTS}{account.pk}/go-live/", secure=True)
    plain = manager.post(f"{ACCOUNTS}{account.pk}/register-webhooks/")  # http://: Shopify refuses

    assert refused.status_code == 403
    assert (registered.status_code, registered.json()) == (200, {"webhooks_url": expected})
    assert (live.status_code, live.json()["dry_run"], live.json()["webhooks_url"]) == (200, False, expected)
    assert plain.status_code == 400
    assert "http:// is not supported" in plain.json()["detail"]
    assert sorted(s.callback_url for s in fake_shopify.state.subscriptions.values()) == [expected] * 5


def test_webhook_urls_hold_the_token_and_are_shown_to_managers_only(api_client, shops):
    created = _create(api_client("manager"), shops())
    account = ChannelAccount.objects.get()
    ChannelAccount.objects.filter(pk=account.pk).update(
        webhooks_url=f"https://stock.example.com/webhooks/channels/{account.webhook_token}/"
    )

    by_role = {role: api_client(role).get(f"{ACCOUNTS}{account.pk}/") for role in ("viewer", "operator")}
    manager = api_client("manager").get(f"{ACCOUNTS}{account.pk}/").json()

    assert created.status_code == 201
    for response in by_role.values():
        assert response.status_code == 200
        assert (response.json()["webhook_url"], response.json()["webhooks_url"]) == (None, None)
        assert account.webhook_token.encode() not in response.content
    assert manager["webhook_url"].endswith(f"/webhooks/channels/{account.webhook_token}/")
    assert manager["webhooks_url"] == f"https://stock.example.com/webhooks/channels/{account.webhook_token}/"


@pytest.mark.parametrize("form", ["superscript", "arabic-indic", "too long"])
def test_a_sku_id_in_another_script_or_too_long_links_nothing(api_client, shops, form):
    first = SKUFactory(code="MUG")
    value = {
        "superscript": "\u00b2",
        "arabic-indic": "".join(chr(0x660 + int(digit)) for digit in str(first.pk)),  # first.pk's digits
        "too long": "9" * 23,
    }[form]
    shop = shops()
    shop.listing_add("L1", sku="OTHER", quantity=1)
    operator = api_client("operator")
    account_id = _create(api_client("manager"), shop).json()["id"]
    operator.post(f"{ACCOUNTS}{account_id}/import-listings/")
    listing = Listing.objects.get()

    response = operator.post(f"/api/v1/channel-listings/{listing.pk}/link/", {"sku": value}, format="json")

    assert response.status_code == 400
    assert field_errors(response) == {"sku": ["No such SKU"]}
    listing.refresh_from_db()
    assert listing.sku_id is None


def test_import_listings_on_a_refused_host_is_400_and_imports_nothing(api_client, shops, settings):
    account_id = _create(api_client("manager"), shops()).json()["id"]
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = False
    settings.DEMO = False

    response = api_client("operator").post(f"{ACCOUNTS}{account_id}/import-listings/")

    assert response.status_code == 400
    assert response.json()["detail"] == "The channel failed: Channel URLs must use https"
    assert Listing.objects.count() == 0


def test_huge_numbers_in_an_account_update_are_400_and_change_nothing(api_client, shops):
    account_id = _create(api_client("manager"), shops()).json()["id"]

    response = api_client("manager").patch(
        f"{ACCOUNTS}{account_id}/",
        {"poll_interval_seconds": 142827371143954219008, "buffer": 10**12, "location_ids": [2**70]},
        format="json",
    )

    assert response.status_code == 400
    assert {field.split(".")[0] for field in field_errors(response)} == {
        "poll_interval_seconds",
        "buffer",
        "location_ids",
    }
    assert ChannelAccount.objects.get().poll_interval_seconds == 120


def test_listings_changed_since_are_the_ones_linked_since(api_client, shops):
    SKUFactory(code="S1")
    shop = shops()
    for listing_id in ("L1", "L2", "L3"):
        shop.listing_add(listing_id, sku="OTHER", quantity=1)
    manager, operator = api_client("manager"), api_client("operator")
    account_id = _create(manager, shop).json()["id"]
    operator.post(f"{ACCOUNTS}{account_id}/import-listings/")
    Listing.objects.update(updated_at=datetime(2026, 3, 1, tzinfo=UTC))
    mark = timezone.now()
    linked = Listing.objects.get(external_id="L2")
    operator.post(f"/api/v1/channel-listings/{linked.pk}/link/", {"sku": "S1"}, format="json")

    since = operator.get("/api/v1/channel-listings/", {"updated_after": mark.isoformat()})
    before = operator.get("/api/v1/channel-listings/", {"updated_before": mark.isoformat(), "page_size": 1})
    naive = operator.get("/api/v1/channel-listings/", {"updated_after": "2026-03-01T00:00:00"})

    assert [row["external_id"] for row in since.json()["results"]] == ["L2"]
    assert [row["external_id"] for row in before.json()["results"]] == ["L1"]
    assert [row["external_id"] for row in operator.get(before.json()["next"]).json()["results"]] == ["L3"]
    assert (naive.status_code, list(field_errors(naive))) == (400, ["updated_after"])
