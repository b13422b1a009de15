"""A channel's own orders move what we believe it shows (services.beliefs)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from channels_app.connectors.dto import OrderDTO, OrderLineDTO
from channels_app.intake.beliefs import listings_belief_shift, order_listing_units
from channels_app.models import Listing
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db

OLD = datetime(2020, 1, 1, tzinfo=UTC)


def test_a_sale_lowers_both_beliefs_floors_at_zero_keeps_unknowns_and_flags_the_listing(shops, connect):
    for code in ("A", "B", "C"):
        SKUFactory(code=code)
    shop, other = shops(), shops()
    for listing_id, sku in (("L-A", "A"), ("L-B", "B"), ("L-C", "C")):
        shop.listing_add(listing_id, sku=sku, quantity=0)
    other.listing_add("L-A", sku="A", quantity=0)
    account, bystander = connect(shop, "Shop"), connect(other, "Other")
    Listing.objects.filter(account=account, external_id="L-A").update(last_pushed_qty=5, last_seen_qty=4)
    Listing.objects.filter(account=account, external_id="L-B").update(last_pushed_qty=1, last_seen_qty=None)
    Listing.objects.filter(account=bystander).update(last_pushed_qty=5, last_seen_qty=5)
    Listing.objects.update(updated_at=OLD)
    mark = timezone.now()

    listings_belief_shift(account=account, units={"L-A": 2, "L-B": 3, "L-C": 0}, sign=-1)

    rows = {
        li.external_id: (li.last_pushed_qty, li.last_seen_qty, li.belief_shifted)
        for li in Listing.objects.filter(account=account)
    }
    assert rows == {"L-A": (3, 2, True), "L-B": (0, None, True), "L-C": (None, 0, False)}
    shifted = Listing.objects.filter(updated_at__gte=mark)  # what listings?updated_after= shows
    assert sorted(shifted.values_list("external_id", flat=True)) == ["L-A", "L-B"]
    assert list(
        Listing.objects.filter(account=bystander).values_list("last_pushed_qty", "belief_shifted")
    ) == [(5, False)]


def test_order_listing_units_adds_lines_of_the_same_listing_and_skips_unlisted_lines():
    order = OrderDTO(
        external_id="O1",
        status="open",
        updated_at=datetime(2026, 11, 27, tzinfo=UTC),
        lines=[
            OrderLineDTO(external_line_id="1", sku_code="A", quantity=2, listing_external_id="L-A"),
            OrderLineDTO(external_line_id="2", sku_code="A", quantity=1, listing_external_id="L-A"),
            OrderLineDTO(external_line_id="3", sku_code="X", quantity=4, listing_external_id=""),
        ],
    )

    assert order_listing_units(order=order) == {"L-A": 3}


def test_a_sale_after_our_set_has_landed_is_exact_and_not_sent_again_on_a_channel_that_says_when(
    shops, connect, monkeypatch
):
    from datetime import timedelta

    from channels_app.connectors.generic.connector import GenericConnector

    monkeypatch.setattr(GenericConnector, "set_lands_within_seconds", 60.0)
    SKUFactory(code="A")
    shop = shops()
    for listing_id in ("L-LATE", "L-RACE", "L-NEVER"):
        shop.listing_add(listing_id, sku="A", quantity=0)
    account = connect(shop, "Shop")
    pushed_at = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    Listing.objects.filter(account=account).update(
        last_pushed_qty=5, last_seen_qty=5, last_pushed_at=pushed_at
    )
    Listing.objects.filter(external_id="L-NEVER").update(last_pushed_at=None)

    listings_belief_shift(
        account=account, units={"L-LATE": 1}, sign=-1, sold_at=pushed_at + timedelta(minutes=5)
    )
    listings_belief_shift(
        account=account, units={"L-RACE": 1}, sign=-1, sold_at=pushed_at + timedelta(seconds=30)
    )
    listings_belief_shift(
        account=account, units={"L-NEVER": 1}, sign=-1, sold_at=pushed_at + timedelta(minutes=5)
    )

    rows = dict(Listing.objects.filter(account=account).values_list("external_id", "belief_shifted"))
    assert rows == {"L-LATE": False, "L-RACE": True, "L-NEVER": True}
    assert set(Listing.objects.filter(account=account).values_list("last_pushed_qty", flat=True)) == {4}


def test_a_channel_that_does_not_say_when_its_sets_land_is_always_sent_again(shops, connect):
    SKUFactory(code="A")
    shop = shops()
    shop.listing_add("L-A", sku="A", quantity=0)
    account = connect(shop, "Shop")
    pushed_at = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    Listing.objects.filter(account=account).update(last_pushed_qty=5, last_pushed_at=pushed_at)

    listings_belief_shift(
        account=account, units={"L-A": 1}, sign=-1, sold_at=datetime(2026, 12, 2, tzinfo=UTC)
    )

    assert Listing.objects.filter(account=account).values_list("belief_shifted", flat=True).get() is True
