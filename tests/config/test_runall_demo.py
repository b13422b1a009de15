"""``make run DEMO=1`` (``DEMO=1 python -m config.runall``): the fake stores start beside web,
worker and beat, the one-shot demo set-up links them, a buyer's order on the fake Shopify shop
drops the fake Amazon listing, and SIGINT stops every process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
import requests

from channels_app.demo.stores import demo_stores_all
from config.runall import demo_services
from tests.config.helpers import BASE_DIR, closed_port, config_free_env
from tests.config.test_runall import Running, _assert_groups_gone, _start_runall, needs_proc

ONESHOT_SUPERVISE = """
import os, sys
from config.runall import Service, supervise
SETUP = "import sys, time; time.sleep(0.5); print('linked'); sys.exit({code})"
services = [
    Service("sleeper", [sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(120)"]),
    Service("setup", [sys.executable, "-c", SETUP], oneshot=True),
]
sys.exit(supervise(services, env=dict(os.environ), stop_timeout=10))
"""


def test_demo_services_are_the_two_fakes_on_the_configured_ports_and_a_oneshot_setup():
    env = {"DEMO_SHOPIFY_PORT": "9101", "DEMO_AMAZON_PORT": "9102", "DEMO_AMAZON_SQS_PORT": "9103"}

    shopify, amazon, setup = demo_services(env, web_url="http://127.0.0.1:8000")

    assert (shopify.name, amazon.name, setup.name) == ("shopify", "amazon", "demo")
    assert shopify.argv[1:] == ["-m", "channels_app.demo.fakes", "shopify", "--port=9101"]
    assert amazon.argv[1:] == ["-m", "channels_app.demo.fakes", "amazon", "--port=9102", "--sqs-port=9103"]
    assert setup.argv[2:] == [
        "demo_setup",
        "--shopify-url=http://127.0.0.1:9101",
        "--amazon-url=http://127.0.0.1:9102",
        "--amazon-sqs-port=9103",
        "--web-url=http://127.0.0.1:8000",
    ]
    assert (shopify.oneshot, amazon.oneshot, setup.oneshot) == (False, False, True)


def test_demo_stores_adds_each_named_store_and_links_it_in_the_setup():
    env = {"DEMO_STORES": "generic, generic", "DEMO_GENERIC_PORT": "9104", "DEMO_AMAZON_SQS_PORT": "9103"}

    *stores, setup = demo_services(env, web_url="http://127.0.0.1:8000")

    assert [store.name for store in stores] == ["shopify", "amazon", "generic"]
    assert stores[2].argv[1:] == ["-m", "channels_app.demo.fakes", "generic", "--port=9104"]
    assert setup.argv[-1] == "--store=generic=http://127.0.0.1:9104"


def test_an_unknown_demo_store_is_refused_naming_the_known_ones():
    with pytest.raises(ValueError) as refused:
        demo_services({"DEMO_STORES": "generic,nosuchshop"}, web_url="http://127.0.0.1:8000")

    assert str(refused.value) == "Unknown demo store 'nosuchshop': one of " + ", ".join(demo_stores_all())
    assert str(refused.value).startswith("Unknown demo store 'nosuchshop': one of generic")


def test_demo_services_pick_free_ports_when_none_are_configured():
    shopify, amazon, _ = demo_services({}, web_url="http://127.0.0.1:8000")

    ports = {int(arg.split("=")[1]) for s in (shopify, amazon) for arg in s.argv if arg.startswith("--")}
    assert len(ports) == 3 and all(1024 < p < 65536 for p in ports)


@needs_proc
def test_a_oneshot_child_exiting_0_leaves_the_others_running_until_a_signal():
    running = Running([sys.executable, "-c", ONESHOT_SUPERVISE.format(code=0)], dict(os.environ))
    try:
        running.wait_for(r"^runall  \| setup done$", timeout=20)
        time.sleep(0.5)
        sleeper_alive = running.proc.poll() is None
        running.proc.send_signal(signal.SIGINT)
        returncode = running.finish(timeout=30)
    finally:
        running.kill_everything()

    assert sleeper_alive
    assert returncode == 0, running.output
    assert "setup   | linked" in running.lines
    assert "runall  | sleeper stopped (exit code -15)" in running.lines
    _assert_groups_gone(set(running.child_groups().values()))


@needs_proc
def test_a_oneshot_child_failing_stops_the_others_with_its_code():
    running = Running([sys.executable, "-c", ONESHOT_SUPERVISE.format(code=4)], dict(os.environ))
    try:
        returncode = running.finish(timeout=30)
    finally:
        running.kill_everything()

    assert returncode == 4, running.output
    assert "runall  | setup exited with code 4: stopping the others" in running.lines
    _assert_groups_gone(set(running.child_groups().values()))


def _store_urls(running: Running) -> dict[str, str]:
    found = {}
    for line in running.lines:
        if match := re.match(r"^(shopify|amazon)\s*\| (\{.*\})$", line):
            found[match[1]] = json.loads(match[2])["url"]
    return found


def _amazon_quantity(url: str, sku: str) -> int | None:
    return requests.get(f"{url}/_fake/state", timeout=5).json()["listings"][sku]["quantity"]


def _run_demo(env: dict[str, str]) -> tuple[Running, dict[str, int], int, float, str, dict]:
    """Start runall with DEMO=1, buy TBL-1 on Shopify, wait for Amazon at 0, SIGINT it; also
    returns the fake Shopify's counters."""
    running = _start_runall(env)
    try:
        running.wait_for(r"^runall\s+\| demo done$", timeout=45)
        urls = _store_urls(running)
        deadline = time.monotonic() + 15
        while _amazon_quantity(urls["amazon"], "TBL-1") != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _amazon_quantity(urls["amazon"], "TBL-1") == 1, running.output
        buy = subprocess.run(
            [sys.executable, "manage.py", "demo_buy", "--store", "shopify", "--sku", "TBL-1", "--qty", "1"],
            cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        sold = time.monotonic()
        assert buy.returncode == 0, buy.stderr
        deadline = sold + 15
        while _amazon_quantity(urls["amazon"], "TBL-1") != 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        latency = time.monotonic() - sold
        final = _amazon_quantity(urls["amazon"], "TBL-1")
        shopify_counters = requests.get(f"{urls['shopify']}/_fake/counters", timeout=5).json()
        groups = running.child_groups()
        running.proc.send_signal(signal.SIGINT)
        returncode = running.finish(timeout=60)
    finally:
        running.kill_everything()
    assert final == 0, running.output
    return running, groups, returncode, latency, buy.stdout, shopify_counters


def _demo_env(tmp_path) -> dict[str, str]:
    env = config_free_env(dict(os.environ), tmp_path / "var")
    env.update(PORT=str(closed_port()), DEMO="1", DEBUG="1", WEB_CONCURRENCY="1", WORKER_CONCURRENCY="2")
    return env


def _assert_demo_run(running, groups, returncode, latency, bought, shopify_counters) -> None:
    assert returncode == 0, running.output
    # The demo's Shopify is a Dev Dashboard app (client credentials): one token for every process.
    assert shopify_counters.get("oauth:client_credentials") == 1, shopify_counters
    assert shopify_counters.get("unauthorized", 0) == 0, shopify_counters
    assert sorted(groups) == ["amazon", "beat", "demo", "shopify", "web", "worker"]
    assert re.search(r"^runall\s+\| demo done$", running.output, re.M)
    assert re.search(r"^demo\s*\| shopify: account \d+, 5 listings, 5 linked$", running.output, re.M)
    assert re.search(r"^demo\s*\| amazon: account \d+, 5 listings, 5 linked$", running.output, re.M)
    assert bought.startswith("shopify: order ")
    assert latency < 10, latency
    assert re.fullmatch(r"runall\s+\| stopped \(exit code 0\)", running.lines[-1])
    _assert_groups_gone(set(groups.values()))


@pytest.mark.slow
@needs_proc
def test_demo_on_postgres_links_the_fakes_and_a_shopify_sale_reaches_amazon(tmp_path, fresh_postgres_url):
    env = _demo_env(tmp_path)
    env["DATABASE_URL"] = fresh_postgres_url

    _assert_demo_run(*_run_demo(env))


@pytest.mark.slow
@needs_proc
def test_demo_on_the_embedded_default_links_the_fakes_and_a_shopify_sale_reaches_amazon(tmp_path):
    _assert_demo_run(*_run_demo(_demo_env(tmp_path)))


def _shopify_available(url: str, sku: str) -> int:
    rows = requests.get(f"{url}/_fake/inventory", timeout=5).json()
    return sum(int(row["available"]) for row in rows if row["sku"] == sku)


@pytest.mark.slow
@needs_proc
def test_demo_on_the_embedded_default_an_amazon_sale_reaches_shopify_in_seconds_by_notification(tmp_path):
    env = _demo_env(tmp_path)
    running = _start_runall(env)
    try:
        running.wait_for(r"^runall\s+\| demo done$", timeout=45)
        urls = _store_urls(running)
        deadline = time.monotonic() + 15
        while (
            _shopify_available(urls["shopify"], "SHEET-K") != 3
            or _amazon_quantity(urls["amazon"], "SHEET-K") != 3
        ) and time.monotonic() < deadline:  # the demo's first push has reached both stores
            time.sleep(0.1)
        before = _shopify_available(urls["shopify"], "SHEET-K")
        buy = subprocess.run(
            [sys.executable, "manage.py", "demo_buy", "--store", "amazon", "--sku", "SHEET-K", "--qty", "2"],
            cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        sold = time.monotonic()
        deadline = sold + 15
        while _shopify_available(urls["shopify"], "SHEET-K") != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        latency = time.monotonic() - sold
        after = _shopify_available(urls["shopify"], "SHEET-K")
        running.proc.send_signal(signal.SIGINT)
        returncode = running.finish(timeout=60)
    finally:
        running.kill_everything()

    assert buy.returncode == 0, buy.stderr
    assert (before, after, returncode) == (3, 1, 0), running.output
    # The demo's Amazon order poll runs every 30 s: this arrived by its ORDER_CHANGE notification.
    assert latency < 10, latency
