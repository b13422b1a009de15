"""The listing list: our target beside what the channel shows, the difference, the whole last error."""

from __future__ import annotations

import pytest
from django.utils import timezone

from channels_app.models import Listing
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LONG_ERROR = "HTTP 422 from the channel: " + "inventory item is not stocked at this location; " * 6


def test_listing_list_shows_target_channel_figure_difference_and_the_full_error(shop_a, client):
    _, account, _, _ = shop_a
    listing = Listing.objects.get(account=account)
    Listing.objects.filter(pk=listing.pk).update(
        last_seen_qty=3, last_seen_at=timezone.now(), last_error=LONG_ERROR.strip()
    )
    client.force_login(UserFactory(role="viewer"))

    response = client.get("/admin/channels_app/listing/")
    (row,) = response.context["cl"].result_list
    page = response.content.decode()

    assert (row.target_qty, row.shown_qty) == (5, 3)  # 5 on hand, the channel read back 3
    assert '<strong class="errornote-inline">-2</strong>' in page
    assert LONG_ERROR.strip() in page  # not cut
    assert Listing.objects.get(pk=listing.pk).last_seen_qty == 3  # the list changed nothing


def test_a_listing_whose_push_is_newer_than_its_reading_shows_the_pushed_figure(shop_a, client):
    client.force_login(UserFactory(role="viewer"))

    (row,) = client.get("/admin/channels_app/listing/").context["cl"].result_list

    assert (row.target_qty, row.shown_qty, row.last_pushed_qty) == (5, 5, 5)
