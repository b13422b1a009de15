"""Quantity pushes to the fake: patchListingsItem, JSON_LISTINGS_FEED with its processing report,
FBA listings left alone, and the engine's hold on increases for a channel without compare-and-set."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from channels_app.connectors.amazon.pushing import oversell_risk
from channels_app.connectors.dto import ListingRef, PushResult, QuantityUpdate
from channels_app.intake.polling import account_orders_sync
from channels_app.models import ChannelAccount, Listing, PushRecord
from channels_app.push.outbox import listings_mark_dirty
from channels_app.push.run import account_push_dirty
from channels_app.services.accounts import account_connector
from config.sandbox.amazon import specs as amazon_specs
from inventory_app.models import Order, SalesChannel
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


def _stocked(location, code: str, quantity: int):
    sku = SKUFactory(code=code)
    if quantity:
        stock_receive(sku=sku, location=location, quantity=quantity)
    return sku


def _update(sku: str, quantity: int, expected: int | None, **extra) -> QuantityUpdate:
    ref = ListingRef(
        external_id=sku, external_sku=sku, extra={"fulfillment_channel_code": "DEFAULT", **extra}
    )
    return QuantityUpdate(
        listing=ref, quantity=quantity, expected=expected, idempotency_key=f"k-{sku}-{quantity}"
    )


def _carry(updates: list[QuantityUpdate], results: list[PushResult]) -> list[QuantityUpdate]:
    """The updates with the submission tokens of earlier pending results, as the engine hands them back."""
    tokens = {r.external_id: r.submission_id for r in results if r.outcome == "pending"}
    return [
        replace(u, listing=replace(u.listing, push_submission=tokens.get(u.listing.external_id, "")))
        for u in updates
    ]


def _patches(amazon) -> list[tuple[str, int]]:
    found = []
    for request in amazon.requests:
        if request["operation"] == "patchListingsItem":
            value = request["body"]["patches"][0]["value"][0]
            found.append((request["path"].rsplit("/", 1)[1], value["quantity"]))
    return found


def test_a_small_push_patches_fulfillment_availability_and_records_the_quantity(amazon, connect, link):
    location = LocationFactory(code="MAIN")
    sku = _stocked(location, "LINEN-1", 7)
    amazon.seed_listing("LINEN-1", 5)
    account = connect(amazon)
    listing = link(account, sku)
    account_orders_sync(account_id=account.pk)  # onboarding: orders caught up
    listings_mark_dirty(sku_ids=[sku.pk])

    summary = account_push_dirty(account_id=account.pk)
    listing.refresh_from_db()

    assert (summary.pushed, summary.held, summary.failed) == (1, 0, 0)
    assert amazon.quantity("LINEN-1") == 7
    assert _patches(amazon) == [("LINEN-1", 7)]
    request = next(r for r in amazon.requests if r["operation"] == "patchListingsItem")
    assert request["body"]["patches"][0]["path"] == "/attributes/fulfillment_availability"
    assert request["query"]["marketplaceIds"] == ["ATVPDKIKX0DER"]
    assert amazon.stats.requests["createFeed"] == 0
    assert (listing.needs_push, listing.last_pushed_qty) == (False, 7)


def test_the_engine_patches_deferred_listings_in_its_next_call_of_the_same_run(amazon, connect, link):
    location = LocationFactory(code="MAIN")
    account = connect(amazon, patch_max=2, feed_min=10)
    skus = {}
    for code, ours, theirs in (("A", 3, 5), ("B", 0, 2), ("C", 1, 9), ("D", 4, 5)):
        skus[code] = _stocked(location, code, ours)
        amazon.seed_listing(code, theirs)
        listing = link(account, skus[code])
        Listing.objects.filter(pk=listing.pk).update(last_seen_qty=theirs, last_seen_at=timezone.now())
    account_orders_sync(account_id=account.pk)
    listings_mark_dirty(sku_ids=[s.pk for s in skus.values()])

    summary = account_push_dirty(account_id=account.pk)

    assert (summary.pushed, summary.deferred, summary.failed, summary.batches) == (4, 2, 0, 2)
    assert summary.retry_in is None
    # the zero, then the largest share gone (9 -> 1), then 5 -> 3 before 5 -> 4
    assert _patches(amazon) == [("B", 0), ("C", 1), ("A", 3), ("D", 4)]
    assert [amazon.quantity(c) for c in ("A", "B", "C", "D")] == [3, 0, 1, 4]
    states = Listing.objects.filter(account=account).values_list("needs_push", "push_failures")
    assert set(states) == {(False, 0)}
    assert amazon.stats.requests["createFeed"] == 0


def test_a_large_push_goes_by_feed_and_the_report_fails_only_the_bad_sku(amazon, connect, link):
    location = LocationFactory(code="MAIN")
    account = connect(amazon, patch_max=2, feed_min=2)
    skus = {}
    for code, quantity in (("SHEET-Q", 4), ("SHEET-K", 6), ("PILLOW", 9), ("DUVET", 2)):
        skus[code] = _stocked(location, code, quantity)
        amazon.seed_listing(
            code,
            0,
            reject_updates="Listing blocked: missing safety attestation" if code == "PILLOW" else None,
        )
        link(account, skus[code])
    account_orders_sync(account_id=account.pk)
    listings_mark_dirty(sku_ids=[s.pk for s in skus.values()])

    submitted = account_push_dirty(account_id=account.pk)
    waiting = {li.external_id: li for li in Listing.objects.filter(account=account)}
    feed_id = waiting["DUVET"].push_submission.split(":")[0]
    amazon.advance(100)  # the feed is queued 30 s, processed 60 s
    Listing.objects.filter(account=account).update(next_attempt_at=None)  # the engine's retry time
    done = account_push_dirty(account_id=account.pk)
    listings = {li.external_id: li for li in Listing.objects.filter(account=account)}

    assert (submitted.pushed, submitted.pending, submitted.failed) == (0, 4, 0)
    document = json.loads(next(d for d in amazon.state.feeds.documents.values() if not d.is_result).content)
    message_of = {m["sku"]: m["messageId"] for m in document["messages"]}
    assert {c: li.push_submission for c, li in waiting.items()} == {
        "DUVET": f"{feed_id}:{message_of['DUVET']}:2",
        "PILLOW": f"{feed_id}:{message_of['PILLOW']}:9",
        "SHEET-K": f"{feed_id}:{message_of['SHEET-K']}:6",
        "SHEET-Q": f"{feed_id}:{message_of['SHEET-Q']}:4",
    }
    assert {(li.push_failures, li.last_error, li.needs_push) for li in waiting.values()} == {(0, "", True)}
    assert (done.pushed, done.failed, done.pending) == (3, 1, 0)
    assert {li.push_submission for li in listings.values()} == {""}
    assert [amazon.quantity(c) for c in ("SHEET-Q", "SHEET-K", "PILLOW", "DUVET")] == [4, 6, 0, 2]
    assert {c: li.needs_push for c, li in listings.items()} == {
        "SHEET-Q": False,
        "SHEET-K": False,
        "PILLOW": True,
        "DUVET": False,
    }
    assert "Listing blocked: missing safety attestation" in listings["PILLOW"].last_error
    assert listings["SHEET-Q"].last_pushed_qty == 4 and listings["PILLOW"].last_pushed_qty is None
    assert (amazon.stats.requests["createFeed"], amazon.stats.requests["patchListingsItem"]) == (1, 0)
    assert amazon.stats.requests["getFeedDocument"] == 1
    assert sorted((m["sku"], m["patches"][0]["value"][0]["quantity"]) for m in document["messages"]) == [
        ("DUVET", 2),
        ("PILLOW", 9),
        ("SHEET-K", 6),
        ("SHEET-Q", 4),
    ]
    if amazon_specs.specs_dir() is not None:
        amazon_specs.validate_listings_feed(document)


def test_fba_listings_are_never_pushed(amazon, connect, link):
    location = LocationFactory(code="MAIN")
    towel, sheet = _stocked(location, "TOWEL", 12), _stocked(location, "SHEET", 3)
    amazon.seed_listing("TOWEL", 40, fulfillment_channel_code="AMAZON_NA")
    amazon.seed_listing("SHEET", 0)
    account = connect(amazon)
    fba, mfn = link(account, towel), link(account, sheet)
    account_orders_sync(account_id=account.pk)
    listings_mark_dirty(sku_ids=[towel.pk, sheet.pk])

    summary = account_push_dirty(account_id=account.pk)
    direct = account_connector(account=account).quantities_push(
        updates=[_update("TOWEL", 12, 40, fulfillment_channel_code="AMAZON_NA")]
    )

    assert (fba.push_enabled, fba.extra["fulfillment_channel_code"], mfn.push_enabled) == (
        False,
        "AMAZON_NA",
        True,
    )
    assert summary.pushed == 1
    assert amazon.listing("TOWEL").updates == [] and amazon.quantity("TOWEL") == 40
    assert amazon.quantity("SHEET") == 3
    assert [(r.outcome, "FBA" in r.error) for r in direct] == [("error", True)]
    assert _patches(amazon) == [("SHEET", 3)]


def test_in_a_large_push_urgent_decreases_are_patched_at_once_and_the_rest_fed(amazon, connect):
    for code, quantity in (("A", 5), ("B", 1), ("C", 2), ("D/1", 0)):
        amazon.seed_listing(code, quantity)
    connector = account_connector(account=connect(amazon, patch_max=1, feed_min=1))

    results = connector.quantities_push(
        updates=[_update("A", 4, 5), _update("B", 0, 1), _update("C", 8, 2), _update("D/1", 3, 0)]
    )
    outcome = {r.external_id: r.outcome for r in results}

    assert outcome == {"A": "pending", "B": "ok", "C": "pending", "D/1": "pending"}
    assert _patches(amazon) == [("B", 0)]  # the zero first; "D/1" cannot be addressed in a path
    assert amazon.quantity("B") == 0
    feed_document = json.loads(next(d for d in amazon.state.feeds.documents.values()).content)
    assert [m["sku"] for m in feed_document["messages"]] == ["A", "C", "D/1"]


def test_a_push_up_to_feed_min_is_all_patched_most_urgent_first_the_rest_in_the_next_call(amazon, connect):
    for code, quantity in (("A", 5), ("B", 1), ("C", 2), ("E", 9), ("D/1", 0)):
        amazon.seed_listing(code, quantity)
    connector = account_connector(account=connect(amazon, patch_max=2, feed_min=10))
    updates = [
        _update("A", 4, 5),
        _update("B", 0, 1),
        _update("C", 8, 2),
        _update("E", 3, 9),
        _update("D/1", 3, 0),
    ]

    first = connector.quantities_push(updates=updates)
    later = [u for u in updates if u.listing.external_id in {"A", "C"}]
    second = connector.quantities_push(updates=later)

    assert {r.external_id: (r.outcome, r.retry_after, r.throttled) for r in first} == {
        "B": ("ok", None, False),
        "E": ("ok", None, False),
        "A": ("deferred", 0.4, False),  # two patches made: 0.4 s of the 5/s plan
        "C": ("deferred", 0.4, False),
        "D/1": ("pending", 60.0, False),  # no path for "/": by feed, whatever the size
    }
    assert {r.external_id: r.outcome for r in second} == {"A": "ok", "C": "ok"}
    assert _patches(amazon) == [("B", 0), ("E", 3), ("A", 4), ("C", 8)]  # zero, largest drop, ...
    feed_document = json.loads(next(d for d in amazon.state.feeds.documents.values()).content)
    assert [m["sku"] for m in feed_document["messages"]] == ["D/1"]
    assert amazon.stats.requests["createFeed"] == 1


def test_oversell_risk_is_the_poisson_chance_of_selling_more_than_the_true_figure_within_the_horizon():
    cold_zero = _update("A", 0, 1)
    hot_two = replace(_update("B", 2, 4), demand_per_hour=30.0)
    mu_cold = (1 / 24) * 60 / 3600
    mu_hot = (30 + 1 / 24) * 60 / 3600

    assert oversell_risk(cold_zero) == pytest.approx(1 - math.exp(-mu_cold), rel=1e-9)
    assert oversell_risk(hot_two) == pytest.approx(
        1 - math.exp(-mu_hot) * (1 + mu_hot + mu_hot**2 / 2), rel=1e-6
    )
    assert oversell_risk(_update("C", 5, 5)) == 0.0  # not lowered: no risk
    assert oversell_risk(_update("D", 5, 3)) == 0.0  # an increase
    assert oversell_risk(_update("E", 3, None)) > 0.0  # unknown figure: may be above


def test_the_last_units_of_a_hot_item_are_patched_before_a_zero_nobody_buys(amazon, connect):
    for code, quantity in (("COLD", 1), ("HOT", 4), ("WARM", 3), ("SLOW", 9)):
        amazon.seed_listing(code, quantity)
    connector = account_connector(account=connect(amazon, patch_max=3, feed_min=10))
    updates = [
        _update("SLOW", 8, 9),
        replace(_update("WARM", 1, 3), demand_per_hour=1.0),
        _update("COLD", 0, 1),
        replace(_update("HOT", 2, 4), demand_per_hour=30.0),
    ]

    results = connector.quantities_push(updates=updates)

    assert _patches(amazon) == [("HOT", 2), ("COLD", 0), ("WARM", 1)]
    assert {r.external_id: r.outcome for r in results}["SLOW"] == "deferred"


def test_the_engine_ranks_by_the_orders_of_the_last_hour_on_every_channel(amazon, connect, link):
    location = LocationFactory(code="MAIN")
    account = connect(amazon, patch_max=1, feed_min=10)
    skus = {"COLD": _stocked(location, "COLD", 0), "HOT": _stocked(location, "HOT", 3)}
    for code, theirs in (("COLD", 5), ("HOT", 3)):
        amazon.seed_listing(code, theirs)
        listing = link(account, skus[code])
        Listing.objects.filter(pk=listing.pk).update(last_seen_qty=theirs, last_seen_at=timezone.now())
    account_orders_sync(account_id=account.pk)
    for ref in ("M1", "M2", "M3"):
        order_create(
            channel=SalesChannel.objects.get(code="manual"),
            data=OrderInput(external_ref=ref, lines=[OrderLineInput(sku_code="HOT", quantity=1)]),
        )
    Order.objects.filter(external_ref="M3").update(created_at=timezone.now() - timedelta(hours=2))
    listings_mark_dirty(sku_ids=[s.pk for s in skus.values()])

    account_push_dirty(account_id=account.pk)

    # Both go to zero; HOT sold in the last hour (its third order is older). Without its demand
    # COLD would go first (the larger drop, 5 against 3).
    assert _patches(amazon) == [("HOT", 0), ("COLD", 0)]


def test_the_engines_oversell_risk_ranks_before_amazons_own_horizon(amazon, connect):
    for code in ("HOT", "COLD"):
        amazon.seed_listing(code, 4)
    connector = account_connector(account=connect(amazon, patch_max=1, feed_min=10))
    hot = replace(_update("HOT", 3, 4), demand_per_hour=30.0, oversell_risk=0.01)
    cold = replace(_update("COLD", 0, 4), oversell_risk=0.3)

    results = connector.quantities_push(updates=[hot, cold])

    assert _patches(amazon) == [("COLD", 0)]
    assert {r.external_id: r.outcome for r in results} == {"COLD": "ok", "HOT": "deferred"}


def test_the_engine_patches_first_the_listing_whose_shown_figure_is_likeliest_oversold(amazon, connect, link):
    location = LocationFactory(code="MAIN")
    account = connect(amazon, patch_max=1, feed_min=10)
    skus = {"COLD": _stocked(location, "COLD", 0), "HOT": _stocked(location, "HOT", 8)}
    for code, theirs in (("COLD", 1), ("HOT", 4)):
        amazon.seed_listing(code, theirs)
        listing = link(account, skus[code])
        Listing.objects.filter(pk=listing.pk).update(
            last_seen_qty=theirs, last_seen_at=timezone.now(), adaptive_buffer=False
        )
    account_orders_sync(account_id=account.pk)
    account.sales_channel.refresh_from_db()
    for ref, channel in (
        *((f"A{n}", account.sales_channel) for n in range(3)),
        *((f"M{n}", SalesChannel.objects.get(code="manual")) for n in range(3)),
    ):
        order_create(
            channel=channel,
            data=OrderInput(external_ref=ref, lines=[OrderLineInput(sku_code="HOT", quantity=1)]),
        )
    Order.objects.update(created_at=timezone.now() - timedelta(minutes=2))  # no burst: 10 minutes' rate
    ChannelAccount.objects.filter(pk=account.pk).update(confirm_lag_seconds=60.0)
    listings_mark_dirty(sku_ids=[s.pk for s in skus.values()])

    account_push_dirty(account_id=account.pk)

    # Amazon shows 4 of HOT's 2 left while it sells 18/h there and 18/h elsewhere: over the
    # minute our update takes to land it is likelier oversold (about 2 %) than COLD's 1 of 0
    # that nobody buys (0.03 %), although Amazon's own horizon alone would patch the zero first.
    assert _patches(amazon) == [("HOT", 2), ("COLD", 0)]


def test_among_decreases_the_largest_share_of_the_shown_figure_gone_is_patched_first(amazon, connect):
    for code, quantity in (("TEN", 10), ("TWO", 2), ("EIGHT", 8)):
        amazon.seed_listing(code, quantity)
    connector = account_connector(account=connect(amazon, patch_max=2, feed_min=10))

    results = connector.quantities_push(
        updates=[_update("TEN", 9, 10), _update("EIGHT", 5, 8), _update("TWO", 1, 2)]
    )

    # 2 -> 1 loses half of what is shown, 8 -> 5 three eighths, 10 -> 9 a tenth
    assert _patches(amazon) == [("TWO", 1), ("EIGHT", 5)]
    assert {r.external_id: r.outcome for r in results} == {"TWO": "ok", "EIGHT": "ok", "TEN": "deferred"}
    assert amazon.quantity("TEN") == 10


def test_a_sku_in_an_unfinished_feed_is_not_fed_twice_and_a_decrease_is_patched_then_reasserted(
    amazon, connect
):
    for code in ("A", "B", "C"):
        amazon.seed_listing(code, 0)
    connector = account_connector(account=connect(amazon, patch_max=1, feed_min=1))
    first = connector.quantities_push(updates=[_update("A", 5, 0), _update("B", 5, 0), _update("C", 5, 0)])

    again = connector.quantities_push(
        updates=_carry([_update("A", 6, 5), _update("B", 7, 5), _update("C", 0, 5)], first)
    )
    amazon.advance(100)
    after_feed = connector.quantities_push(updates=_carry([_update("C", 0, 5)], first))  # feed DONE
    b_later = connector.quantities_push(updates=_carry([_update("B", 7, 5)], first))

    assert {r.external_id: r.outcome for r in again} == {"A": "pending", "B": "pending", "C": "pending"}
    assert {r.external_id: r.submission_id for r in again} == {r.external_id: r.submission_id for r in first}
    assert amazon.stats.requests["createFeed"] == 1
    assert [(r.external_id, r.outcome) for r in after_feed] == [("C", "ok")]
    assert [(r.external_id, r.outcome) for r in b_later] == [("B", "ok")]
    assert _patches(amazon) == [("C", 0), ("C", 0), ("B", 7)]
    assert [amazon.quantity(c) for c in ("A", "B", "C")] == [5, 7, 0]


def _race(amazon, connect, link):
    """1 unit, shown on Amazon; a buyer takes it there (not polled yet); we receive 1 more."""
    location = LocationFactory(code="MAIN")
    sku = _stocked(location, "LAST-1", 1)
    amazon.seed_listing("LAST-1", 0)
    account = connect(amazon)
    listing = link(account, sku)
    account_orders_sync(account_id=account.pk)
    listings_mark_dirty(sku_ids=[sku.pk])
    account_push_dirty(account_id=account.pk)
    assert amazon.quantity("LAST-1") == 1
    amazon.place_order("LAST-1", 1)  # Amazon shows 0; we have not polled yet
    stock_receive(sku=sku, location=location, quantity=1)  # we believe 2 are available; truth is 1
    listings_mark_dirty(sku_ids=[sku.pk])
    return account, listing, account_push_dirty(account_id=account.pk)


def test_without_the_guard_amazon_would_show_the_unit_already_sold(amazon, connect, link, settings):
    settings.CHANNELS_HOLD_INCREASES = False

    _, _, raced = _race(amazon, connect, link)

    assert (raced.pushed, amazon.quantity("LAST-1")) == (1, 2)  # truth is 1


def test_the_engine_holds_an_increase_until_an_unpolled_amazon_sale_is_taken_in(amazon, connect, link):
    account, listing, raced = _race(amazon, connect, link)
    shown_during_race = amazon.quantity("LAST-1")
    account_orders_sync(account_id=account.pk)  # the sale reaches us
    Listing.objects.filter(pk=listing.pk).update(next_attempt_at=None)
    released = account_push_dirty(account_id=account.pk)

    assert (raced.held, raced.pushed, shown_during_race) == (1, 0, 0)
    assert (released.pushed, amazon.quantity("LAST-1")) == (1, 1)
    assert [u["quantity"] for u in amazon.listing("LAST-1").updates] == [1, 1]
    assert Order.objects.get().lines.get().quantity == 1


def _fed(amazon, connect, link, codes=("SHEET-Q", "SHEET-K", "DUVET")):
    """Three listings pushed by one feed (patch_max=0, feed_min=0), the feed still being processed."""
    location = LocationFactory(code="MAIN")
    account = connect(amazon, patch_max=0, feed_min=0)
    skus = {}
    for code in codes:
        skus[code] = _stocked(location, code, 5)
        amazon.seed_listing(code, 0)
        link(account, skus[code])
    account_orders_sync(account_id=account.pk)
    listings_mark_dirty(sku_ids=[s.pk for s in skus.values()])
    account_push_dirty(account_id=account.pk)
    return account, location, skus


def test_a_pending_feed_is_checked_by_any_worker_and_never_sent_twice(amazon, connect, link):
    from channels_app.services import accounts

    account, _location, _skus = _fed(amazon, connect, link)
    tokens = dict(Listing.objects.filter(account=account).values_list("external_id", "push_submission"))
    accounts._connectors.cache = {}  # the next run builds its connector afresh, as another worker would
    Listing.objects.filter(account=account).update(next_attempt_at=None)
    checked = account_push_dirty(account_id=account.pk)  # the feed is still IN_QUEUE
    amazon.advance(100)
    Listing.objects.filter(account=account).update(next_attempt_at=None)
    accounts._connectors.cache = {}
    done = account_push_dirty(account_id=account.pk)
    listings = list(Listing.objects.filter(account=account))

    from channels_app.models import PushRecord

    assert (checked.pending, checked.pushed, checked.failed) == (3, 0, 0)
    assert PushRecord.objects.filter(account=account).count() == 0  # pending is no failure
    assert (done.pending, done.pushed, done.failed) == (0, 3, 0)
    assert len(set(token.split(":")[0] for token in tokens.values())) == 1
    assert amazon.stats.requests["createFeed"] == 1
    assert amazon.stats.requests["getFeed"] == 2
    assert [(li.needs_push, li.push_submission, li.last_pushed_qty, li.push_failures) for li in listings] == [
        (False, "", 5, 0)
    ] * 3
    assert [amazon.quantity(c) for c in ("SHEET-Q", "SHEET-K", "DUVET")] == [5, 5, 5]


def test_a_decrease_on_a_listing_waiting_for_its_feed_goes_out_at_once(amazon, connect, link):
    from inventory_app.services.stock import stock_adjust

    account, location, skus = _fed(amazon, connect, link)
    token = Listing.objects.get(account=account, external_id="DUVET").push_submission
    waiting_until = Listing.objects.get(account=account, external_id="DUVET").next_attempt_at

    stock_adjust(sku=skus["DUVET"], location=location, delta=-5, reason_detail="damaged")
    listings_mark_dirty(sku_ids=[skus["DUVET"].pk])
    cleared = Listing.objects.get(account=account, external_id="DUVET").next_attempt_at
    summary = account_push_dirty(account_id=account.pk)
    duvet = Listing.objects.get(account=account, external_id="DUVET")

    assert waiting_until is not None and cleared is None
    assert summary.pending == 1
    assert _patches(amazon) == [("DUVET", 0)]
    assert amazon.quantity("DUVET") == 0
    assert (duvet.push_submission, duvet.needs_push) == (token, True)  # set again after the feed
    assert amazon.stats.requests["createFeed"] == 1


def test_a_throttled_patch_waits_without_counting_a_failure(amazon, connect, link):
    location = LocationFactory(code="MAIN")
    skus = [_stocked(location, code, 7) for code in ("LINEN-1", "LINEN-2")]
    for sku in skus:
        amazon.seed_listing(sku.code, 5)
    account = connect(amazon)
    for sku in skus:
        link(account, sku)
    account_orders_sync(account_id=account.pk)
    listings_mark_dirty(sku_ids=[s.pk for s in skus])
    amazon.faults.fail("patchListingsItem", status=429, times=20)

    summary = account_push_dirty(account_id=account.pk)
    listings = list(Listing.objects.filter(account=account).order_by("external_id"))

    assert (summary.pushed, summary.failed) == (0, 2)
    assert [(li.needs_push, li.push_failures) for li in listings] == [(True, 0), (True, 0)]
    assert list(PushRecord.objects.filter(account=account).values_list("outcome", flat=True)) == [
        "throttled",
        "throttled",
    ]
    assert [amazon.quantity(s.code) for s in skus] == [5, 5]


def test_a_decrease_goes_out_at_once_while_the_done_feeds_report_cannot_be_read(amazon, connect, link):
    location = LocationFactory(code="MAIN")
    account = connect(amazon, patch_max=1, feed_min=1)
    skus = {}
    for code, quantity in (("SHEET-Q", 5), ("SHEET-K", 3), ("DUVET", 2)):
        skus[code] = _stocked(location, code, quantity)
        amazon.seed_listing(code, 0)
        link(account, skus[code])
    account_orders_sync(account_id=account.pk)
    listings_mark_dirty(sku_ids=[s.pk for s in skus.values()])
    first = account_push_dirty(account_id=account.pk)  # three increases: one feed
    amazon.advance(100)  # the feed is processed
    order_create(
        channel=SalesChannel.objects.get(code="manual"),
        data=OrderInput(external_ref="M1", lines=[OrderLineInput(sku_code="SHEET-Q", quantity=2)]),
    )
    listings_mark_dirty(sku_ids=[skus["SHEET-Q"].pk])
    Listing.objects.filter(account=account).update(next_attempt_at=None)
    amazon.faults.fail("getFeedDocument", status=429, times=20)

    second = account_push_dirty(account_id=account.pk)
    listings = {li.external_id: li for li in Listing.objects.filter(account=account)}

    assert (first.pending, amazon.stats.requests["createFeed"]) == (3, 1)
    assert (second.pushed, second.failed) == (1, 2)
    assert [amazon.quantity(c) for c in ("SHEET-Q", "SHEET-K", "DUVET")] == [3, 3, 2]
    assert _patches(amazon) == [("SHEET-Q", 3)]
    assert (listings["SHEET-Q"].needs_push, listings["SHEET-Q"].last_pushed_qty) == (False, 3)
    assert {(li.needs_push, li.push_failures) for c, li in listings.items() if c != "SHEET-Q"} == {(True, 0)}


def test_in_a_large_push_an_update_at_risk_stays_in_the_patch_stream_and_only_calm_ones_are_fed(
    amazon, connect
):
    for code, quantity in (("A", 3), ("H", 5), ("C", 9), ("E", 8)):
        amazon.seed_listing(code, quantity)
    connector = account_connector(account=connect(amazon, patch_max=1, feed_min=1))
    hottest = replace(_update("A", 2, 3), oversell_risk=0.4)
    hot = replace(_update("H", 4, 5), oversell_risk=0.1)  # a feed would land too late for it

    results = connector.quantities_push(updates=[hot, hottest, _update("C", 7, 9), _update("E", 6, 8)])

    assert {r.external_id: r.outcome for r in results} == {
        "A": "ok",  # the likeliest oversold, patched at once
        "H": "deferred",  # at risk: patched in a later call, ranked again
        "C": "pending",
        "E": "pending",
    }
    assert _patches(amazon) == [("A", 2)]
    feed_document = json.loads(next(d for d in amazon.state.feeds.documents.values()).content)
    assert [m["sku"] for m in feed_document["messages"]] == ["C", "E"]


def test_a_large_push_whose_calm_updates_are_few_sends_no_feed(amazon, connect):
    for code, quantity in (("A", 3), ("H", 5), ("C", 9)):
        amazon.seed_listing(code, quantity)
    connector = account_connector(account=connect(amazon, patch_max=1, feed_min=1))
    hottest = replace(_update("A", 2, 3), oversell_risk=0.4)
    hot = replace(_update("H", 4, 5), oversell_risk=0.1)

    results = connector.quantities_push(updates=[hot, hottest, _update("C", 7, 9)])

    assert {r.external_id: r.outcome for r in results} == {"A": "ok", "H": "deferred", "C": "deferred"}
    assert amazon.stats.requests.get("createFeed", 0) == 0
