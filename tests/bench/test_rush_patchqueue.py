"""The lag model's quota-bound channel: one patch per tick, the listing most at risk first."""

from __future__ import annotations

from bench.rush.catalog import Catalog, Item
from bench.rush.lagmodel import Replay, lagged_replay
from bench.rush.patchqueue import RankedPatches
from bench.rush.traffic import Intent

LAST = Item(code="LAST", components=(("LAST", 1),))
PLENTY = Item(code="PLENTY", components=(("PLENTY", 1),))
WEB = {"shopify": 0.0}


def _catalog() -> Catalog:
    return Catalog(stock={"LAST": 1, "PLENTY": 10}, items=[LAST, PLENTY])


def _buyers() -> list[Intent]:
    return [
        Intent(at=0.1, channel="shopify", item=PLENTY, qty=1),
        Intent(at=0.2, channel="shopify", item=LAST, qty=1),  # the last one
        Intent(at=1.5, channel="amazon", item=LAST, qty=1),
    ]


def test_the_one_patch_a_second_goes_to_the_listing_that_would_oversell_not_to_the_older_change():
    catalog = _catalog()
    amazon = RankedPatches(catalog=catalog, rate=1.0)

    replay = lagged_replay(catalog=catalog, intents=_buyers(), lags=WEB, ranked=amazon)

    assert replay == Replay(oversold_units=0, withheld_units=0, units_sold=2, orders=2)
    assert (amazon.patches, amazon.shows(LAST), amazon.shows(PLENTY)) == (1, 0, 10)


def test_a_patch_that_lands_after_the_buyer_comes_does_not_stop_the_oversell():
    catalog = _catalog()
    amazon = RankedPatches(catalog=catalog, rate=1.0, land=1.0)

    replay = lagged_replay(catalog=catalog, intents=_buyers(), lags=WEB, ranked=amazon)

    assert replay == Replay(oversold_units=1, withheld_units=0, units_sold=3, orders=3)
    assert amazon.patches == 1
