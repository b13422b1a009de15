"""The standalone fake (``python -m config.sandbox.amazon.server``): its clock follows real time from
the start, so an order poll from a real clock is answered (not "in the future")."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from config.sandbox.amazon.clock import parse_iso

ROOT = Path(__file__).resolve().parents[4]


def test_standalone_fake_answers_an_order_poll_from_the_real_clock():
    proc = subprocess.Popen(
        [sys.executable, "-m", "config.sandbox.amazon.server", "--port", "0", "--demo"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        creds = json.loads(proc.stdout.readline())
        now = datetime.now(UTC)
        state = requests.get(creds["endpoint"] + "/_fake/state", timeout=5).json()
        token = requests.post(
            creds["lwa_url"],
            data={
                "grant_type": "refresh_token",
                "refresh_token": creds["refresh_token"],
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
            },
            timeout=5,
        ).json()["access_token"]
        since = (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        orders = requests.get(
            creds["endpoint"] + "/orders/v0/orders",
            params={"MarketplaceIds": creds["marketplace_ids"][0], "LastUpdatedAfter": since},
            headers={"x-amz-access-token": token},
            timeout=5,
        )
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()

    assert abs((parse_iso(state["now"]) - now).total_seconds()) < 30
    assert orders.status_code == 200, orders.text
    assert orders.json()["payload"]["Orders"] == []
