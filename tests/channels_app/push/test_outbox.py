"""The outbox: marking a listing dirty makes it claimable at once, whatever it was waiting for."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from channels_app.models import Listing
from channels_app.push.outbox import listings_mark_dirty
from channels_app.push.run import _claimable
from channels_app.services.accounts import account_create
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db


def test_marking_dirty_clears_the_next_attempt_time_of_a_backing_off_listing():
    generic_account = account_create(
        kind="generic",
        name="Shop",
        base_url="https://shop.example.com/",
        credentials={"api_key": "k", "webhook_secret": "s"},
        schedule=False,
    )
    sku, other = SKUFactory(code="BACKOFF-1"), SKUFactory(code="BACKOFF-2")
    later = timezone.now() + timedelta(minutes=10)
    backing_off = Listing.objects.create(
        account=generic_account,
        external_id="L-1",
        sku=sku,
        needs_push=True,
        push_failures=3,
        next_attempt_at=later,
        push_submission="feed-1:1:4",
    )
    untouched = Listing.objects.create(
        account=generic_account, external_id="L-2", sku=other, needs_push=True, next_attempt_at=later
    )

    accounts = listings_mark_dirty(sku_ids=[sku.pk])
    backing_off.refresh_from_db()
    untouched.refresh_from_db()

    assert accounts == {generic_account.pk}
    assert (backing_off.next_attempt_at, backing_off.push_failures, backing_off.dirty_version) == (None, 3, 1)
    assert backing_off.push_submission == "feed-1:1:4"  # the connector decides what to do with it
    assert untouched.next_attempt_at == later
    assert list(_claimable(account=generic_account)) == [backing_off]
