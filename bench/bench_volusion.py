"""Volusion: the API calls of a full push of 100,000 SKUs (and what they cost at Volusion's pace).

    .venv/bin/python -m bench.bench_volusion [--skus 100000] [--variants 10]

Runs the Volusion connector's ``quantities_push`` over every SKU, ``batch_max`` (100) at a time,
against the fake store on 127.0.0.1 (no database: the engine's batching is reproduced here), for
two catalogue shapes: every SKU a standalone product, and every SKU a variant (child product) of
a parent with ``--variants`` children. A push is one ``Import=Update`` per batch, then the
re-read that confirms it: one filtered ``Generic\\Products`` export per parent product, one per
standalone product. The fake counts the calls; ``hours_at_5_per_s`` is the time they take at the
connector's pace (5 calls a second, under the 20,000 an hour one integration reports).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.env import bench_environ_set  # noqa: E402 (after the path above)

bench_environ_set()


def _run(skus: int, variants: int) -> dict:
    from channels_app.connectors.dto import AccountConfig, ListingRef, QuantityUpdate
    from channels_app.connectors.http import ChannelHttp
    from channels_app.connectors.volusion.connector import VolusionConnector
    from config.sandbox.volusion import FakeVolusion

    fake = FakeVolusion().start()
    try:
        refs = []
        for n in range(skus):
            parent = f"P-{n // variants}" if variants > 1 else ""
            fake.state.product_add(f"SKU-{n:06d}", 0, parent=parent)
            refs.append(ListingRef(external_id=f"SKU-{n:06d}", external_product_id=parent))
        config = AccountConfig(
            account_id=1,
            base_url=fake.url,
            credentials={"login": fake.state.login, "encrypted_password": fake.state.encrypted_password},
            options={"time_zone": "America/Chicago"},
        )
        connector = VolusionConnector(config=config, http=ChannelHttp(base_url=fake.url, allow_private=True))
        started = time.monotonic()
        outcomes: Counter[str] = Counter()
        for i in range(0, skus, connector.batch_max):
            batch = refs[i : i + connector.batch_max]
            updates = [
                QuantityUpdate(listing=r, quantity=(i + k) % 7, expected=None, idempotency_key=r.external_id)
                for k, r in enumerate(batch)
            ]
            outcomes.update(result.outcome for result in connector.quantities_push(updates=updates))
        elapsed = time.monotonic() - started
        calls = Counter("import" if c[1].startswith("Import=") else "re-read" for c in fake.calls)
        total = sum(calls.values())
        return {
            "skus": skus,
            "variants_per_parent": variants if variants > 1 else 0,
            "calls": total,
            "imports": calls["import"],
            "re_reads": calls["re-read"],
            "outcomes": dict(outcomes),
            "fake_seconds": round(elapsed, 1),
            "hours_at_5_per_s": round(total / 5 / 3600, 2),
        }
    finally:
        fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--variants", type=int, default=10)
    args = parser.parse_args()
    print(json.dumps({"volusion_full_push": [_run(args.skus, 1), _run(args.skus, args.variants)]}, indent=2))


if __name__ == "__main__":
    main()
