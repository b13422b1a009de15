"""The calls a full push of 10,000 SKUs costs (the figure quoted in the package docstring)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from channels_app.connectors.dto import ListingRef, QuantityUpdate
from channels_app.services.accounts import account_connector

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_a_full_push_of_10000_skus_takes_five_feeds_and_31_calls(amazon, connect):
    skus = [f"SKU-{n:05d}" for n in range(10_000)]
    for sku in skus:
        amazon.seed_listing(sku, 0)
    connector = account_connector(account=connect(amazon))
    updates = [
        QuantityUpdate(listing=ListingRef(external_id=s), quantity=7, expected=None, idempotency_key=s)
        for s in skus
    ]
    batches = [updates[i : i + connector.batch_max] for i in range(0, len(updates), connector.batch_max)]

    submitted = [connector.quantities_push(updates=batch) for batch in batches]
    amazon.advance(100)
    reported = [
        connector.quantities_push(
            updates=[
                replace(u, listing=replace(u.listing, push_submission=r.submission_id))
                for u, r in zip(batch, results, strict=True)
            ]
        )
        for batch, results in zip(batches, submitted, strict=True)
    ]

    assert {r.outcome for results in submitted for r in results} == {"pending"}
    assert {r.outcome for results in reported for r in results} == {"ok"}
    assert len(batches) == 5
    counts = {op: n for op, n in amazon.stats.requests.items() if n}
    assert counts == {
        "lwa:token": 1,
        "createFeedDocument": 5,
        "createFeed": 5,
        "getFeed": 5,
        "getFeedDocument": 5,
    }
    # plus one upload and one report download per feed (presigned URLs, not SP-API operations)
    assert sum(counts.values()) + 2 * 5 == 31
    assert amazon.quantity("SKU-09999") == 7
