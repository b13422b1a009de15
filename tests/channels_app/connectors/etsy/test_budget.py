"""The daily budget in a simulated busy day: never exceeded, drops to zero first."""

from __future__ import annotations

import random
from dataclasses import replace

from channels_app.connectors.etsy import budget as budgets
from config.sandbox.etsy import Clock, FakeEtsy
from tests.channels_app.connectors.etsy.conftest import connector_on, simple, update

STEP = 900  # seconds of simulated time between two rounds (an order poll and a push each)


def test_class_of_a_change():
    assert budgets.change_class(quantity=0, expected=3, last_units=2) == "zero"
    assert budgets.change_class(quantity=0, expected=None, last_units=2) == "zero"
    assert budgets.change_class(quantity=2, expected=5, last_units=2) == "last"
    assert budgets.change_class(quantity=3, expected=5, last_units=2) == "decrease"
    assert budgets.change_class(quantity=6, expected=5, last_units=2) == "increase"
    assert budgets.allowed(klass="zero", cost=1, remaining=21, reserve=20, limit_per_day=1000)
    assert not budgets.allowed(klass="increase", cost=1, remaining=269, reserve=20, limit_per_day=1000)


def test_a_busy_day_never_exceeds_the_daily_budget_and_zero_stock_pushes_go_first():
    rng = random.Random(18)
    with FakeEtsy(per_day=800, per_second=1000, clock=Clock(frozen=True)) as fake:
        ids = [fake.state.listing_add(title=f"Item {n}", inventory=simple(f"SKU-{n}", 50)) for n in range(60)]
        connector = connector_on(fake, budget_reserve=20)
        shown = {lid: 50 for lid in ids}  # what we believe Etsy shows
        wanted: dict[int, int] = {}  # pending changes (the engine's dirty listings, merged)
        zero_sent, zero_made, late_zero, waited = 0, 0, [], 0
        for step in range(24 * 3600 // STEP):
            connector.orders_fetch_changed(since=None, cursor=None)
            for _ in range(12):
                lid = rng.choice(ids)
                roll = rng.random()
                if roll < 0.1:
                    wanted[lid] = 0
                    zero_made += 1
                elif roll < 0.6:
                    wanted[lid] = max(1, shown[lid] - rng.randint(1, 5))
                else:
                    wanted[lid] = shown[lid] + rng.randint(1, 5)
            updates = [update(lid, f"SKU-{ids.index(lid)}", q, shown[lid]) for lid, q in wanted.items()]
            results = connector.quantities_push(updates=updates)
            sent = {r.external_id for r in results if r.outcome == "ok"}
            for item in updates:
                lid = int(item.listing.external_id.split(":")[0])
                if item.listing.external_id in sent:
                    shown[lid] = 0 if item.quantity == 0 else item.quantity
                    zero_sent += item.quantity == 0 and item.expected != 0
                    del wanted[lid]
                elif item.quantity == 0 and item.expected != 0:
                    late_zero.append(step)
                else:
                    waited += 1
            assert all(r.outcome in ("ok", "deferred") for r in results), results
            fake.clock.advance(STEP)

        assert fake.limits.refused == {"second": 0, "day": 0}  # never a 429
        assert waited > 300  # the budget was binding: rises and small drops waited
        assert late_zero == []  # no drop to zero ever waited
        assert zero_sent > 0
        assert fake.limits.used_today(fake.keystring) <= 800


def test_the_account_shows_calls_left_today_and_what_waits(fake_etsy):
    ids = [fake_etsy.state.listing_add(title=f"I{n}", inventory=simple(f"S{n}", 9)) for n in range(3)]
    connector = connector_on(fake_etsy, account_id=7, budget_reserve=9_990)  # only zero pushes may go
    assert budgets.budget_text(account_id=7) == "calls left today: not known yet; nothing waits"

    results = connector.quantities_push(
        updates=[update(ids[0], "S0", 0, 9), update(ids[1], "S1", 12, 9), update(ids[2], "S2", 4, 9)]
    )

    assert sorted(r.outcome for r in results) == ["deferred", "deferred", "ok"]
    assert budgets.budget_text(account_id=7) == (
        "calls left today: 9997 of 10000; listings waiting for calls: 1 decrease, 1 increase"
        " (drops to zero go first)"
    )


def test_within_a_class_the_fastest_selling_sku_goes_first(fake_etsy):
    ids = [fake_etsy.state.listing_add(title=f"I{n}", inventory=simple(f"S{n}", 9)) for n in range(2)]
    # 10,000 a day, reserve 9,498: the "last units" floor is 9,998. After the read 9,999 are
    # left: one PUT fits (down to 9,998), a second would go below the floor.
    connector = connector_on(fake_etsy, budget_reserve=9_498)
    slow = replace(update(ids[0], "S0", 1, 9), demand_per_hour=0.5)
    fast = replace(update(ids[1], "S1", 2, 9), demand_per_hour=6.0)

    results = connector.quantities_push(updates=[slow, fast])

    assert {r.external_id: r.outcome for r in results} == {f"{ids[0]}:S0": "deferred", f"{ids[1]}:S1": "ok"}


def test_the_engines_oversell_risk_ranks_before_the_class_and_the_demand(fake_etsy):
    ids = [fake_etsy.state.listing_add(title=f"I{n}", inventory=simple(f"S{n}", 9)) for n in range(2)]
    connector = connector_on(fake_etsy, budget_reserve=9_498)  # one PUT fits (see above)
    # S1 alone would go first (same class, more demand); what S0 shows is likelier oversold.
    risky = replace(update(ids[0], "S0", 1, 9), demand_per_hour=0.5, oversell_risk=0.2)
    fast = replace(update(ids[1], "S1", 2, 9), demand_per_hour=6.0, oversell_risk=0.01)

    results = connector.quantities_push(updates=[fast, risky])

    assert {r.external_id: r.outcome for r in results} == {f"{ids[0]}:S0": "ok", f"{ids[1]}:S1": "deferred"}
