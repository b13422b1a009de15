"""Smoke form of `make rush` and `make bench`: the real commands at tiny sizes, each on its own
throwaway PostgreSQL and Redis (config.devservices), so the rush's worker kill and broker
restart touch nothing of the test session."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUSH_KEYS = {
    "seed", "channels", "orders_placed", "oversold_units", "baseline_oversold_units", "lost_orders",
    "duplicate_reservations", "invariant_violations", "latency_p50_s", "latency_p99_s", "orders_per_s",
    "faults", "withheld_units", "withheld_by_channel", "oversold_by_channel", "baseline_withheld_units",
    "buying_started_at", "pushes_per_10s", "oversold_push_history", "intake_s",
}  # fmt: skip
BENCH_KEYS = {
    "hot_sku_reservations_per_s", "ats_100k_skus_s", "push_100k_calls", "push_100k_min_calls",
    "push_100k_peak_mb", "pushes_per_1000_sales_of_one_sku", "intake_rps", "bare_view_rps",
}  # fmt: skip


def _devservices(*command: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "config.devservices", "--redis", "--", sys.executable, *command],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


@pytest.mark.slow
def test_a_small_rush_with_faults_and_a_worker_kill_loses_nothing(tmp_path):
    out = tmp_path / "rush.json"
    proc = _devservices(
        "-m", "bench.rush", "--seed", "5", "--seconds", "8", "--rate", "4", "--skus", "60",
        "--kits", "6", "--drain", "120", "--burst", "20", "--broker-restart-at", "none",
        "--first-push-timeout", "120", "--out", str(out),
        timeout=600,
    )  # fmt: skip

    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result.keys() >= RUSH_KEYS
    assert result["seed"] == 5
    assert result["channels"] == ["shopify", "bigcommerce", "woocommerce", "amazon"]
    assert sum(result["orders_placed"].values()) > 0
    assert set(result["api_calls"]) == {"shopify", "bigcommerce", "woocommerce", "amazon"}
    # Amazon orders come by ORDER_CHANGE on the fake SQS queue (the 60 s poll is the safety net).
    assert result["api_calls"]["amazon"]["by_operation"]["sqs:ReceiveMessage"]["calls"] > 0
    assert result["restarts"] == {"worker0": 1}
    assert result["drained"] is True
    assert (result["lost_orders"], result["duplicate_reservations"], result["invariant_violations"]) == (
        0,
        0,
        0,
    )
    assert result["orders_per_s"] is not None
    intake = result["intake_s"]
    assert set(intake) == set(result["channels"])
    assert sum(row["samples"] for row in intake.values()) == sum(result["orders_placed"].values())


def test_the_baseline_replays_the_same_buyers_and_oversells_more_when_it_syncs_less():
    from bench.rush.baseline import baseline_run
    from bench.rush.catalog import catalog_build
    from bench.rush.traffic import intents_build

    catalog = catalog_build(seed=3, skus=300, kits=30)
    intents = intents_build(
        seed=3, catalog=catalog, channels=["a", "b"], shares=[0.5, 0.5], rate=20, seconds=60
    )
    again = intents_build(
        seed=3, catalog=catalog_build(seed=3, skus=300, kits=30), channels=["a", "b"], shares=[0.5, 0.5],
        rate=20, seconds=60,
    )  # fmt: skip

    assert [(i.at, i.channel, i.item.code, i.qty) for i in intents] == [
        (i.at, i.channel, i.item.code, i.qty) for i in again
    ]
    rare = baseline_run(catalog=catalog, intents=intents, channels=["a", "b"], interval=900)
    often = baseline_run(catalog=catalog, intents=intents, channels=["a", "b"], interval=1)
    assert rare["oversold_units"] > often["oversold_units"]


def test_oversold_units_count_only_units_beyond_the_true_stock():
    from bench.rush.catalog import Catalog, Item
    from bench.rush.traffic import oversold_units

    a, b = Item("A", (("A", 1),)), Item("B", (("B", 1),))
    kit = Item("K", (("A", 1), ("B", 2)))
    catalog = Catalog(stock={"A": 2, "B": 3}, items=[a, b, kit])

    # kit takes A=1, B=2; then A: 1 left, 2 sold -> 1 oversold; B: 1 left, kit wants 2 -> 0 kits
    sales = [(1.0, kit, 1, "x"), (2.0, a, 2, "y"), (3.0, kit, 1, "x"), (4.0, b, 1, "y")]
    assert oversold_units(catalog=catalog, sales=sales) == 2
    assert (
        oversold_units(catalog=catalog, sales=sales, only="x"),
        oversold_units(catalog=catalog, sales=sales, only="y"),
    ) == (1, 1)


def test_withheld_units_are_a_walked_away_buyer_s_units_the_true_stock_could_serve():
    from bench.rush.catalog import Catalog, Item
    from bench.rush.traffic import Intent, withheld_units

    a = Item("A", (("A", 1),))
    catalog = Catalog(stock={"A": 2}, items=[a])

    served = withheld_units(
        catalog=catalog, remaining={"A": 2}, intent=Intent(at=1.0, channel="x", item=a, qty=2)
    )
    short = withheld_units(
        catalog=catalog, remaining={"A": 1}, intent=Intent(at=1.0, channel="x", item=a, qty=2)
    )

    assert (served, short) == (2, 0)


def test_the_baseline_counts_what_its_stale_zero_figures_withheld():
    from bench.rush.baseline import baseline_run
    from bench.rush.catalog import Catalog, Item
    from bench.rush.traffic import Intent

    a = Item("A", (("A", 1),))
    catalog = Catalog(stock={"A": 3}, items=[a])
    # Channel x sells 2, then 1 more: x shows 1 left while y shows 3 until the next tick.
    intents = [
        Intent(at=t, channel=ch, item=a, qty=q) for t, ch, q in ((1, "x", 2), (2, "x", 2), (3, "y", 1))
    ]

    result = baseline_run(catalog=catalog, intents=intents, channels=["x", "y"], interval=900)

    assert (result["orders"], result["withheld_units"], result["oversold_units"]) == (2, 0, 0)


@pytest.mark.slow
def test_bench_quick_writes_every_contract_key(tmp_path):
    out = tmp_path / "bench.json"
    proc = _devservices("-m", "bench.run_all", "--quick", "--out", str(out), timeout=900)

    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result.keys() >= BENCH_KEYS
    assert result["push_100k_calls"] == result["push_100k_min_calls"] == 3  # 600 SKUs, 250 a call
    assert result["intake_rps"] > 0 and result["bare_view_rps"] > 0
