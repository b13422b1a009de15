"""The lag model: the rush's buyers against channels whose figures land a fixed time late."""

from __future__ import annotations

from bench.rush.catalog import Catalog, Item
from bench.rush.lagmodel import Replay, lagged_replay
from bench.rush.traffic import Intent

MUG = Item(code="MUG", components=(("MUG", 1),))
KIT = Item(code="KIT", components=(("MUG", 1), ("CUP", 2)))
LAGS_SLOW = {"shopify": 2.0, "amazon": 2.0, "woocommerce": 2.0}
LAGS_FAST = {"shopify": 0.25, "amazon": 0.25, "woocommerce": 0.25}


def _catalog() -> Catalog:
    return Catalog(stock={"MUG": 2, "CUP": 4}, items=[MUG, KIT])


def _buyers() -> list[Intent]:
    return [
        Intent(at=0.0, channel="shopify", item=MUG, qty=1),
        Intent(at=0.5, channel="amazon", item=KIT, qty=1),  # the last MUG
        Intent(at=1.0, channel="woocommerce", item=MUG, qty=1),
        Intent(at=1.2, channel="shopify", item=MUG, qty=1),  # shopify knows its own sale at once
    ]


def test_a_channel_whose_figure_lands_late_sells_what_other_channels_already_sold():
    slow = lagged_replay(catalog=_catalog(), intents=_buyers(), lags=LAGS_SLOW)

    assert slow == Replay(oversold_units=2, withheld_units=0, units_sold=4, orders=4)


def test_a_channel_whose_figure_lands_in_time_turns_the_late_buyers_away_without_withholding():
    fast = lagged_replay(catalog=_catalog(), intents=_buyers(), lags=LAGS_FAST)

    assert fast == Replay(oversold_units=0, withheld_units=0, units_sold=2, orders=2)


def test_a_buffer_turns_away_buyers_the_true_stock_could_serve_and_counts_them_withheld():
    seen = []

    def hold_one(*, channel, item, shown, lag, orders, at):
        seen.append((channel, item.code, shown, lag, at))
        return 1

    buyers = [
        Intent(at=0.0, channel="shopify", item=MUG, qty=2),  # 2 shown, 1 held: walks away
        Intent(at=3.0, channel="amazon", item=MUG, qty=1),
    ]
    held = lagged_replay(catalog=_catalog(), intents=buyers, lags=LAGS_FAST, buffer=hold_one)

    assert held == Replay(oversold_units=0, withheld_units=2, units_sold=1, orders=1)
    assert seen == [("shopify", "MUG", 2, 0.25, 0.0), ("amazon", "MUG", 2, 0.25, 3.0)]


def test_a_sale_heard_late_is_sold_again_elsewhere_although_every_figure_lands_in_time():
    def shopify_heard_late(intent: Intent) -> float:
        return 2.0 if intent.channel == "shopify" else 0.0

    late = lagged_replay(catalog=_catalog(), intents=_buyers(), lags=LAGS_FAST, heard=shopify_heard_late)

    assert late == Replay(oversold_units=1, withheld_units=0, units_sold=3, orders=3)


def test_the_rushs_held_back_webhooks_delay_only_the_web_shops_share_of_sales():
    from bench.rush.lagmodel import webhook_delays

    heard = webhook_delays(seed=1, share=0.1)
    web = [heard(Intent(at=0.0, channel="shopify", item=MUG, qty=1)) for _ in range(2000)]
    amazon = [heard(Intent(at=0.0, channel="amazon", item=MUG, qty=1)) for _ in range(200)]

    assert set(amazon) == {0.0}
    assert 150 <= sum(1 for d in web if d > 0) <= 250
    assert all(0.2 <= d <= 3.0 for d in web if d > 0)
