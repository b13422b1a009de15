"""The rush's ground truth: which accepted sales oversold, and how late the channel was."""

from __future__ import annotations

from bench.rush.catalog import Catalog, Item
from bench.rush.traffic import oversold_sales, oversold_units


def test_each_oversold_sale_names_its_channel_units_and_how_long_the_truth_had_been_gone():
    mug = Item(code="MUG", components=(("MUG", 1),))
    kit = Item(code="KIT", components=(("MUG", 1), ("CUP", 2)))
    catalog = Catalog(stock={"MUG": 2, "CUP": 4}, items=[mug, kit])
    sales = [
        (10.0, mug, 1, "shopify"),
        (12.5, kit, 1, "amazon"),  # the last MUG
        (13.0, mug, 2, "woocommerce"),  # 2 oversold, 0.5 s after the truth fell to 0
        (20.0, kit, 1, "amazon"),  # 1 oversold, 7.5 s late
    ]

    found = oversold_sales(catalog=catalog, sales=sales)

    assert found == [
        {"at": 13.0, "channel": "woocommerce", "item": "MUG", "kit": False, "units": 2, "stale_s": 0.5},
        {"at": 20.0, "channel": "amazon", "item": "KIT", "kit": True, "units": 1, "stale_s": 7.5},
    ]
    assert sum(f["units"] for f in found) == oversold_units(catalog=catalog, sales=sales) == 3
