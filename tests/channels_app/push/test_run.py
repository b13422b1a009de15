"""Quantity push: rules, batching, retries that never drop a listing, dry run, the sweeper."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from channels_app.models import Listing, PushRecord, SyncCursor
from channels_app.push.outbox import listings_mark_dirty, outbox_sweep
from channels_app.push.run import account_push_dirty, worker_claims_release
from channels_app.selectors.quantities import listing_quantity_explain
from inventory_app.models import OrderLine
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SalesChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db


def _due(account) -> None:
    """Let every backoff run out now (instead of sleeping in the test)."""
    Listing.objects.filter(account=account).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_explanation_reads_like_the_issue_example(shops, connect):
    a, b = LocationFactory(code="A"), LocationFactory(code="B")
    sku = SKUFactory(code="LINEN-1")
    stock_receive(sku=sku, location=a, quantity=12)
    stock_receive(sku=sku, location=b, quantity=8)
    order_create(
        channel=SalesChannelFactory(),
        data=OrderInput(external_ref="X1", lines=[OrderLineInput(sku_code="LINEN-1", quantity=6)]),
    )
    shop = shops()
    shop.listing_add("L1", sku="LINEN-1", quantity=0)
    account = connect(shop, "Shop", buffer=2, percentage=70, max_published=10)
    listing = Listing.objects.get(account=account)

    text = listing_quantity_explain(listing=listing)
    summary = account_push_dirty(account_id=account.pk)

    assert text == "on hand 20 - committed 6 at A+B, buffer 2, 70 %, capped at 10 = 7"
    assert (summary.pushed, shop.quantity("L1")) == (1, 7)


def test_listing_rules_override_the_account_and_minimum_publishes_zero(shops, connect):
    location = LocationFactory(code="A")
    low, high = SKUFactory(code="LOW"), SKUFactory(code="HIGH")
    stock_receive(sku=low, location=location, quantity=3)
    stock_receive(sku=high, location=location, quantity=50)
    shop = shops()
    shop.listing_add("L-LOW", sku="LOW", quantity=9)
    shop.listing_add("L-HIGH", sku="HIGH", quantity=9)
    account = connect(shop, "Shop", min_published=4)
    Listing.objects.filter(external_id="L-HIGH").update(max_published=20)

    account_push_dirty(account_id=account.pk)

    assert (shop.quantity("L-LOW"), shop.quantity("L-HIGH")) == (0, 20)


def test_dirty_listings_are_coalesced_and_pushed_in_batches_of_the_connector_maximum(shops, connect):
    location = LocationFactory(code="A")
    skus = [SKUFactory(code=f"S{i}") for i in range(5)]
    shop = shops()
    for i in range(5):
        shop.listing_add(f"L{i}", sku=f"S{i}", quantity=0)
    account = connect(shop, "Shop", options={"batch_max": 2})
    account_push_dirty(account_id=account.pk)
    before = len(shop.requests_of("POST quantities"))
    for i, sku in enumerate(skus):
        stock_receive(sku=sku, location=location, quantity=i + 1)
    for _ in range(3):  # three changes of the same SKUs before the worker runs: one push each
        listings_mark_dirty(sku_ids=[s.pk for s in skus])

    summary = account_push_dirty(account_id=account.pk)

    assert (summary.pushed, summary.batches) == (5, 3)
    assert len(shop.requests_of("POST quantities")) - before == 3
    assert [shop.quantity(f"L{i}") for i in range(5)] == [1, 2, 3, 4, 5]
    assert not Listing.objects.filter(needs_push=True).exists()


def test_429_with_retry_after_keeps_the_listing_dirty_until_the_retry_then_it_arrives(shops, connect):
    location, sku = LocationFactory(code="A"), SKUFactory(code="S1")
    stock_receive(sku=sku, location=location, quantity=4)
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=0)
    account = connect(shop, "Shop")
    shop.fail_next("POST quantities", 1, status=429, retry_after=30)

    first = account_push_dirty(account_id=account.pk)
    too_early = account_push_dirty(account_id=account.pk)
    listing = Listing.objects.get(account=account)

    assert (first.failed, first.pushed, too_early.batches) == (1, 0, 0)
    assert first.retry_in >= 30
    assert listing.needs_push is True
    assert listing.next_attempt_at >= timezone.now() + timedelta(seconds=28)
    assert "HTTP 429" in listing.last_error
    assert shop.quantity("L1") == 0
    _due(account)
    second = account_push_dirty(account_id=account.pk)
    listing.refresh_from_db()
    assert (second.pushed, shop.quantity("L1"), listing.needs_push, listing.last_error) == (1, 4, False, "")


def test_repeated_429s_do_not_grow_the_backoff_or_count_as_failures(shops, connect):
    location, sku = LocationFactory(code="A"), SKUFactory(code="S1")
    stock_receive(sku=sku, location=location, quantity=4)
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=0)
    account = connect(shop, "Shop")
    shop.fail_next("POST quantities", 6, status=429, retry_after=2)

    for _ in range(6):
        result = account_push_dirty(account_id=account.pk)
        assert (result.failed, result.pushed) == (1, 0)
        listing = Listing.objects.get(account=account)
        # each wait is what the channel asked for, not 2 ** failures
        assert listing.next_attempt_at <= timezone.now() + timedelta(seconds=3)
        _due(account)

    listing = Listing.objects.get(account=account)
    assert listing.push_failures == 0
    assert PushRecord.objects.filter(listing=listing, outcome="throttled").count() == 6
    assert PushRecord.objects.filter(listing=listing, outcome="failed").count() == 0
    account_push_dirty(account_id=account.pk)
    assert shop.quantity("L1") == 4


def test_a_listing_is_never_dropped_however_often_the_channel_fails(shops, connect):
    location, sku = LocationFactory(code="A"), SKUFactory(code="S1")
    stock_receive(sku=sku, location=location, quantity=4)
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=0)
    account = connect(shop, "Shop")
    shop.fail_next("POST quantities", 12, status=500)

    for _ in range(12):
        account_push_dirty(account_id=account.pk)
        _due(account)
    listing = Listing.objects.get(account=account)

    assert (listing.needs_push, listing.push_failures, shop.quantity("L1")) == (True, 12, 0)
    assert PushRecord.objects.filter(listing=listing, outcome="failed").count() == 12
    account_push_dirty(account_id=account.pk)
    listing.refresh_from_db()
    assert (listing.needs_push, listing.push_failures, shop.quantity("L1")) == (False, 0, 4)


def test_dry_run_account_logs_every_push_and_sends_none(shops, connect):
    location, sku = LocationFactory(code="A"), SKUFactory(code="S1")
    stock_receive(sku=sku, location=location, quantity=4)
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=9)
    account = connect(shop, "Shop", dry_run=True)

    summary = account_push_dirty(account_id=account.pk)

    record = PushRecord.objects.get(account=account)
    assert (summary.dry_run, record.quantity, record.dry_run, record.outcome) == (1, 4, True, "dry_run")
    assert shop.requests_of("POST quantities") == []
    assert shop.quantity("L1") == 9


def test_sweeper_repairs_a_lost_availability_notification(shops, connect):
    location, sku = LocationFactory(code="A"), SKUFactory(code="S1")
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=0)
    account = connect(shop, "Shop")
    account_push_dirty(account_id=account.pk)
    # The receipt commits but its after-commit hook never runs (the process "died"): in a test
    # transaction on_commit callbacks are not executed, which is exactly that situation.
    stock_receive(sku=sku, location=location, quantity=6)
    assert not Listing.objects.filter(needs_push=True).exists()

    swept = outbox_sweep()
    account_push_dirty(account_id=account.pk)

    assert swept == {"remarked": 1, "requested": 1, "events": 0}
    assert shop.quantity("L1") == 6


def test_worker_claims_release_frees_only_that_workers_live_claims(shops, connect, on_commit):
    shop = shops()
    for n in range(3):
        shop.listing_add(f"L{n}", sku=f"S{n}", quantity=0)
    with on_commit(execute=False):
        for n in range(3):
            SKUFactory(code=f"S{n}")
        account = connect(shop, "Shop")
    later = timezone.now() + timedelta(seconds=60)
    rows = list(Listing.objects.filter(account=account).order_by("external_id"))
    Listing.objects.filter(pk=rows[0].pk).update(claimed_until=later, claimed_by="w1@host")
    Listing.objects.filter(pk=rows[1].pk).update(claimed_until=later, claimed_by="w2@host")
    SyncCursor.objects.create(account=account, stream="orders", leased_until=later, leased_by="w1@host")

    released = worker_claims_release(claimer="w1@host")

    assert released == {"listings": 1, "polls": 1}
    assert [
        li.claimed_until is None for li in Listing.objects.filter(account=account).order_by("external_id")
    ] == [
        True,
        False,
        True,
    ]
    assert SyncCursor.objects.get(account=account, stream="orders").leased_until is None
    assert worker_claims_release(claimer="") == {"listings": 0, "polls": 0}


def test_one_push_run_per_account_a_second_returns_busy_without_calling_the_channel(
    shops, connect, on_commit
):
    shop = shops()
    shop.listing_add("L0", sku="S0", quantity=0)
    with on_commit(execute=False):
        sku = SKUFactory(code="S0")
        account = connect(shop, "Shop")
        stock_receive(sku=sku, location=LocationFactory(code="A"), quantity=4)
    listings_mark_dirty(sku_ids=[sku.pk])
    SyncCursor.objects.create(
        account=account, stream="push", leased_until=timezone.now() + timedelta(seconds=30), leased_by="w1@h"
    )
    calls = len(shop.requests_of("POST quantities"))

    busy = account_push_dirty(account_id=account.pk)
    calls_while_busy = len(shop.requests_of("POST quantities")) - calls
    SyncCursor.objects.filter(account=account, stream="push").update(leased_until=None)
    done = account_push_dirty(account_id=account.pk)

    assert (busy.busy, busy.pushed, calls_while_busy) == (True, 0, 0)
    assert (done.busy, done.pushed, shop.quantity("L0")) == (False, 1, 4)
    assert SyncCursor.objects.get(account=account, stream="push").leased_until is None


def test_a_listing_the_channel_already_shows_at_the_wanted_figure_is_settled_without_a_call(
    shops, connect, on_commit
):
    shop = shops()
    shop.listing_add("L0", sku="S0", quantity=4)
    shop.listing_add("L1", sku="S1", quantity=4)
    with on_commit(execute=False):
        skus = [SKUFactory(code=f"S{n}") for n in range(2)]
        for sku in skus:
            stock_receive(sku=sku, location=LocationFactory(code=f"A{sku.code}"), quantity=4)
        account = connect(shop, "Shop")
    Listing.objects.filter(account=account, external_id="L1").update(push_failures=1)  # unsure: send
    for listing_id in ("L0", "L1"):
        shop.listings[listing_id]["quantity"] = 7  # changed behind our back: reconciliation's job
    listings_mark_dirty(sku_ids=[s.pk for s in skus])
    before = len(shop.requests_of("POST quantities"))

    summary = account_push_dirty(account_id=account.pk)
    rows = {li.external_id: li for li in Listing.objects.filter(account=account)}

    assert (summary.unchanged, summary.pushed) == (1, 1)
    # L1 only: compare-and-set refused "4 if 4" (the shop shows 7), then "4 if 7" went through
    assert len(shop.requests_of("POST quantities")) - before == 2
    assert shop.quantity_history["L0"] == [4]
    assert [shop.quantity("L0"), shop.quantity("L1")] == [7, 4]
    assert (rows["L0"].needs_push, rows["L0"].last_pushed_at, rows["L0"].claimed_until) == (False, None, None)
    assert (rows["L1"].needs_push, rows["L1"].last_pushed_qty, rows["L1"].push_failures) == (False, 4, 0)
    assert PushRecord.objects.filter(account=account).count() == 0


def test_a_dry_run_leaves_what_we_believe_the_channel_shows_as_it_was(shops, connect, on_commit):
    shop = shops()
    shop.listing_add("L0", sku="S0", quantity=9)
    with on_commit(execute=False):
        sku = SKUFactory(code="S0")
        stock_receive(sku=sku, location=LocationFactory(code="A"), quantity=4)
        account = connect(shop, "Shop", dry_run=True)
    listings_mark_dirty(sku_ids=[sku.pk])

    summary = account_push_dirty(account_id=account.pk)
    row = Listing.objects.get(account=account)

    assert summary.dry_run == 1
    assert (row.needs_push, row.last_pushed_qty, row.last_seen_qty) == (False, None, 9)
    assert list(PushRecord.objects.values_list("outcome", "quantity", "dry_run")) == [("dry_run", 4, True)]
    assert shop.quantity("L0") == 9


def test_a_sale_racing_our_last_set_is_pushed_again_even_when_the_figure_looks_current(
    client, shops, connect, on_commit
):
    from django.urls import reverse

    from channels_app.intake.batch import account_inbound_events_drain

    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=0)
    with on_commit(execute=True):
        sku = SKUFactory(code="S1")
        stock_receive(sku=sku, location=LocationFactory(code="A"), quantity=8)
        account = connect(shop, "Shop")
    assert shop.quantity("L1") == 8
    sale = shop.buy("L1", 1)
    shop.listings["L1"]["quantity"] = 8  # our set of 8, computed before the sale, landed after it
    body, headers = shop.webhook(sale, "order.created")
    url = reverse("channels_webhooks:receive", args=[account.webhook_token])
    with on_commit(execute=False):
        assert (
            client.post(url, data=body, content_type="application/json", headers=headers).status_code == 200
        )
    with on_commit(execute=False):
        account_inbound_events_drain(account_id=account.pk)
    shifted = Listing.objects.get(account=account)

    summary = account_push_dirty(account_id=account.pk)

    assert (shifted.last_pushed_qty, shifted.belief_shifted, shifted.needs_push) == (7, True, True)
    assert (summary.unchanged, summary.pushed) == (0, 1)
    assert shop.quantity("L1") == 7
    assert Listing.objects.get(account=account).belief_shifted is False


@pytest.mark.parametrize(("adaptive_buffer", "demand_queries"), [(False, 0), (True, 1)])
def test_demand_is_read_once_a_batch_for_the_adaptive_buffer_and_never_for_ranking_here(
    shops, connect, adaptive_buffer, demand_queries
):
    location = LocationFactory(code="A")
    stock_receive(sku=SKUFactory(code="LINEN-1"), location=location, quantity=5)
    order_create(
        channel=SalesChannelFactory(),
        data=OrderInput(external_ref="X1", lines=[OrderLineInput(sku_code="LINEN-1", quantity=1)]),
    )
    shop = shops()
    shop.listing_add("L1", sku="LINEN-1", quantity=9)
    account = connect(shop, "Shop", adaptive_buffer=adaptive_buffer)
    with CaptureQueriesContext(connection) as queries:
        summary = account_push_dirty(account_id=account.pk)

    assert (summary.pushed, shop.quantity("L1")) == (1, 4)
    line_table = OrderLine._meta.db_table
    assert len([q["sql"] for q in queries.captured_queries if line_table in q["sql"]]) == demand_queries


def test_a_batch_that_fails_unexpectedly_is_released_for_a_second_not_for_the_lease(
    shops, connect, monkeypatch
):
    location, sku = LocationFactory(code="A"), SKUFactory(code="S1")
    stock_receive(sku=sku, location=location, quantity=4)
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=0)
    account = connect(shop, "Shop")

    def unreachable(**_kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("channels_app.push.run.rate_limit_acquire", unreachable)
    with pytest.raises(ConnectionError):
        account_push_dirty(account_id=account.pk, claimer="w1@host")
    listing = Listing.objects.get(account=account)

    assert (listing.needs_push, listing.claimed_until, shop.quantity("L1")) == (True, None, 0)
    assert timezone.now() < listing.next_attempt_at <= timezone.now() + timedelta(seconds=1)
    assert SyncCursor.objects.get(account=account, stream="push").leased_until is None
    monkeypatch.undo()
    _due(account)
    assert (account_push_dirty(account_id=account.pk).pushed, shop.quantity("L1")) == (1, 4)


@pytest.mark.django_db(transaction=True)
def test_a_run_cancelled_mid_query_still_frees_its_batch_and_its_lease(shops, connect, monkeypatch):
    location, sku = LocationFactory(code="A"), SKUFactory(code="S1")
    stock_receive(sku=sku, location=location, quantity=4)
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=0)
    account = connect(shop, "Shop")  # on commit at once here: pushed 4
    Listing.objects.filter(account=account).update(needs_push=True, dirty_since=timezone.now())

    def cancelled(**_kwargs):
        # The worker cancels the task (SIGTERM, billiard's SystemExit) between sending a query
        # and reading its answer: the connection takes no further command.
        connection.connection.close()
        raise SystemExit(-241)

    monkeypatch.setattr("channels_app.push.run.listings_published_quantities", cancelled)
    with pytest.raises(SystemExit):
        account_push_dirty(account_id=account.pk, claimer="w1@host")
    connection.close()
    listing = Listing.objects.get(account=account)

    assert (listing.needs_push, listing.claimed_until, shop.quantity("L1")) == (True, None, 4)
    assert SyncCursor.objects.get(account=account, stream="push").leased_until is None
