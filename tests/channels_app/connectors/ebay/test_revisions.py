"""eBay's 250 revisions per listing per calendar day: a listing pushed 300 times in a simulated
day never exceeds 250, and its last revisions go to the moves that prevent oversells."""

from __future__ import annotations

import pytest

from channels_app.connectors.dto import ListingRef, QuantityUpdate
from channels_app.connectors.ebay.revisions import CAP, seconds_to_next_day
from channels_app.models import ListingRevisionCount
from channels_app.services.accounts import account_create
from channels_app.services.revisions import AccountRevisionBook
from tests.channels_app.connectors.ebay.conftest import credentials


def _ref(fake, sku: str) -> ListingRef:
    offer = fake.state.offers[fake.state.by_sku[sku]]
    return ListingRef(external_id=sku, external_offer_id=offer.offer_id, external_product_id=offer.listing_id)


def _day(connector, fake, clock, quantities, *, sku="MUG-RED", step=240.0):
    """Push each figure in turn (a buyer elsewhere took units in between), ``expected`` being
    what eBay shows; every 4 minutes of the fake's clock. The outcomes, in order."""
    shown = fake.quantity(sku)
    outcomes = []
    for number, quantity in enumerate(quantities):
        [result] = connector.quantities_push(
            updates=[
                QuantityUpdate(
                    listing=_ref(fake, sku), quantity=quantity, expected=shown, idempotency_key=f"k{number}"
                )
            ]
        )
        outcomes.append((quantity, result.outcome, fake.revisions(sku), result.error))
        if result.outcome == "ok":
            shown = quantity
        assert fake.revisions(sku) <= CAP
        clock.now += step
    return outcomes


@pytest.fixture
def book(fake_ebay, db):
    account = account_create(
        kind="ebay", name="eBay", base_url=fake_ebay.url, credentials=credentials(fake_ebay), schedule=False
    )
    return AccountRevisionBook(account_id=account.pk)


def test_300_pushes_in_a_day_spend_at_most_250_revisions_the_last_on_the_last_units(
    ebay, fake_ebay, clock, book
):
    clock.now = 1_796_630_400.0  # 2026-12-07 08:00 UTC = 00:00 in Los Angeles: the day starts
    fake_ebay.item_add("MUG-RED", 300)
    connector = ebay()
    connector._revisions = book  # the engine's shared, persisted book

    outcomes = _day(connector, fake_ebay, clock, list(range(299, -1, -1)))  # 300 pushes, 299 .. 0

    sent = [(q, revisions) for q, outcome, revisions, _ in outcomes if outcome == "ok"]
    held = [(q, error) for q, outcome, _, error in outcomes if outcome != "ok"]
    assert len(outcomes) == 300 and fake_ebay.revisions("MUG-RED") == CAP == len(sent)
    assert [q for q, _ in sent[:230]] == list(range(299, 69, -1))  # the ordinary day
    assert [q for q, _ in sent[230:]] == list(range(19, -1, -1))  # the reserve: the last 20 units, one by one
    assert [q for q, _ in held] == list(range(69, 19, -1))
    assert all("eBay revision budget low" in error for _, error in held)
    assert fake_ebay.quantity("MUG-RED") == 0  # the drop to zero got through: nothing oversold
    # Counted on both calendars (the day in Los Angeles spans two UTC dates): never over 250 on either.
    assert dict(ListingRevisionCount.objects.values_list("day", "count")) == {
        "PT2026-12-07": 250,
        "UTC2026-12-07": 230,
        "UTC2026-12-08": 20,
    }


def test_a_listing_at_the_cap_sends_nothing_more_that_day_and_says_so(ebay, fake_ebay, clock):
    fake_ebay.item_add("MUG-RED", 500)
    connector = ebay(revision_reserve=0)
    _day(connector, fake_ebay, clock, [400 - i for i in range(CAP)], step=1.0)
    calls = len(fake_ebay.requests)

    [result] = connector.quantities_push(
        updates=[
            QuantityUpdate(listing=_ref(fake_ebay, "MUG-RED"), quantity=0, expected=151, idempotency_key="z")
        ]
    )

    assert (result.outcome, result.throttled) == ("retry", True)
    assert "eBay revision cap reached" in result.error
    assert result.retry_after == seconds_to_next_day(now=clock.now)
    assert len(fake_ebay.requests) == calls  # not even sent
    assert fake_ebay.revisions("MUG-RED") == CAP


def test_revisions_made_elsewhere_meet_ebays_cap_error_and_close_the_listing_for_the_day(
    ebay, fake_ebay, clock
):
    offer = fake_ebay.item_add("MUG-RED", 50)
    fake_ebay.state.revisions[(offer.listing_id, fake_ebay.state.day())] = CAP  # Seller Hub edits
    connector = ebay()
    [first] = connector.quantities_push(
        updates=[
            QuantityUpdate(listing=_ref(fake_ebay, "MUG-RED"), quantity=0, expected=50, idempotency_key="a")
        ]
    )
    calls = len(fake_ebay.requests)
    [second] = connector.quantities_push(
        updates=[
            QuantityUpdate(listing=_ref(fake_ebay, "MUG-RED"), quantity=0, expected=50, idempotency_key="b")
        ]
    )
    assert (first.outcome, second.outcome) == ("retry", "retry")
    assert "maximum number of revisions" in first.error
    assert len(fake_ebay.requests) == calls
    assert fake_ebay.quantity("MUG-RED") == 50


def test_the_next_calendar_day_has_its_own_250(ebay, fake_ebay, clock):
    fake_ebay.item_add("MUG-RED", 500)
    connector = ebay(revision_reserve=0)
    _day(connector, fake_ebay, clock, [400 - i for i in range(CAP)], step=1.0)
    clock.now += seconds_to_next_day(now=clock.now)
    [result] = connector.quantities_push(
        updates=[
            QuantityUpdate(listing=_ref(fake_ebay, "MUG-RED"), quantity=7, expected=151, idempotency_key="n")
        ]
    )
    assert (result.outcome, fake_ebay.quantity("MUG-RED"), fake_ebay.revisions("MUG-RED")) == ("ok", 7, 1)
