"""The fake runs standalone (benchmarks, demo): ``python -m config.sandbox.shopify.server``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[4]


def test_standalone_server_prints_its_address_and_serves_the_seeded_shop():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "config.sandbox.shopify.server",
            "--port",
            "0",
            "--seed",
            "3",
            "--products",
            "4",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        info = json.loads(proc.stdout.readline())
        response = requests.post(
            info["graphql_url"],
            headers={"X-Shopify-Access-Token": info["access_token"]},
            timeout=10,
            json={"query": "{ productVariants(first: 50) { nodes { sku } } }"},
        )
        skus = [n["sku"] for n in response.json()["data"]["productVariants"]["nodes"]]
        assert len(skus) == 8
        assert skus[0] == "LIN-0001-1"
        # the /_fake/ control endpoints let another process play the buyer
        inventory = requests.get(f"{info['url']}/_fake/inventory", timeout=10).json()
        row = next(r for r in inventory if r["sku"] == "LIN-0001-1")
        placed = requests.post(
            f"{info['url']}/_fake/orders",
            timeout=10,
            json={"lines": [{"sku": "LIN-0001-1", "quantity": 1}], "location_id": row["location_id"]},
        )
        assert placed.status_code == 201
        after = requests.get(f"{info['url']}/_fake/inventory", timeout=10).json()
        assert (
            next(
                r
                for r in after
                if r["inventory_item_id"] == row["inventory_item_id"]
                and r["location_id"] == row["location_id"]
            )["available"]
            == row["available"] - 1
        )
        too_many = requests.post(
            f"{info['url']}/_fake/orders",
            timeout=10,
            json={"lines": [{"sku": "LIN-0001-1", "quantity": 10_000}], "location_id": row["location_id"]},
        )
        assert too_many.status_code == 409
    finally:
        proc.terminate()
        proc.wait(timeout=10)
