"""Onboarding an eBay account: the refresh token's expiry announced weeks before, and the
migration of Seller Hub listings as an explicit command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from channels_app.models import Listing
from channels_app.selectors.connection import account_connection
from channels_app.services.accounts import account_create
from channels_app.services.connect import account_connect_finish
from channels_app.services.tokens import token_clock_set
from tests.channels_app.connectors.ebay.conftest import credentials

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(fake_ebay, settings, clock):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    token_clock_set(clock)
    created = account_create(
        kind="ebay", name="eBay", base_url=fake_ebay.url, credentials=credentials(fake_ebay), schedule=False
    )
    account_connect_finish(account=created, params={"state": "s", "code": fake_ebay.consent()}, state="s")
    yield created
    token_clock_set(None)


def test_the_connection_warns_30_days_before_the_refresh_token_expires(account, clock):
    fresh = account_connection(account=account)
    assert (fresh.state, fresh.message, fresh.refresh_expires_at) == ("connected", "", clock.now + 47_304_000)

    clock.now += 47_304_000 - 29 * 86400
    warned = account_connection(account=account)

    assert warned.state == "connected"
    assert warned.message == (
        "The eBay grant (refresh token) expires on 2028-06-06: connect the account again before then,"
        " or it stops syncing"
    )


def test_the_migrate_command_moves_seller_hub_listings_and_imports_them(account, fake_ebay):
    hub = fake_ebay.legacy_add("HUB-1", 4)
    auction = fake_ebay.legacy_add("HUB-2", 1, fixed_price=False)
    out = StringIO()

    call_command("ebay_migrate_listings", str(account.pk), hub.listing_id, auction.listing_id, stdout=out)

    assert out.getvalue().splitlines() == [
        f"{hub.listing_id}: migrated, SKUs HUB-1",
        f"{auction.listing_id}: not migrated: 25718: Only fixed-price listings can be migrated.",
    ]
    listing = Listing.objects.get(account=account)
    assert (listing.external_id, listing.external_product_id, listing.push_enabled) == (
        "HUB-1",
        hub.listing_id,
        True,
    )
