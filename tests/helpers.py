"""Readings of the stock figures that tests assert on."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from inventory_app.models import StockLevel


def stock_level(sku, location) -> tuple[int, int]:
    """(on_hand, committed) of the SKU's level row at the location."""
    row = StockLevel.objects.get(sku=sku, location=location)
    return row.on_hand, row.committed


def stock_levels(sku) -> dict[str, tuple[int, int]]:
    """(on_hand, committed) of each of the SKU's level rows, by location code."""
    rows = StockLevel.objects.filter(sku=sku).select_related("location")
    return {row.location.code: (row.on_hand, row.committed) for row in rows}


def field_errors(response) -> dict[str, list[str]]:
    """An API refusal's field errors as ``{dotted field: [messages]}``, after checking that it is a
    ``validation_error`` problem document."""
    body = response.json()
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    assert (body["status"], body["code"]) == (400, "validation_error"), body
    errors: dict[str, list[str]] = {}
    for error in body["errors"]:
        errors.setdefault(error["field"], []).append(error["message"])
    return errors


def problem(response) -> dict[str, object]:
    """An API refusal's ``code`` and ``detail`` (and ``shortfalls`` where present), after checking
    that it is a problem document with the response's status."""
    body = response.json()
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    assert body["status"] == response.status_code and body["type"] == f"/api/problems/{body['code']}", body
    return {key: body[key] for key in ("code", "detail", "shortfalls") if key in body}


def large_catalog_csv(*, skus: int, offset: int = 0) -> str:
    """A catalog CSV of ``skus`` new SKUs, each with a stock row at WH1 (i % 50) and WH2 (i % 7 + 1)."""
    lines = ["sku,name,product,location,quantity"]
    for i in range(offset, offset + skus):
        lines.append(f"BULK-{i:06d},Bulk item {i},Product {i % 20},WH1,{i % 50}")
        lines.append(f"BULK-{i:06d},,,WH2,{i % 7 + 1}")
    return "\n".join(lines) + "\n"


def assert_sku_totals_match_levels() -> None:
    """Every SKU's ledger-kept totals equal the sums of its levels (services.stock_totals)."""
    from inventory_app.models import SKU

    for sku in SKU.objects.prefetch_related("levels__location"):
        levels = list(sku.levels.all())
        sellable = [lv for lv in levels if lv.location.is_active and lv.location.is_sellable]
        expected = (
            sum(lv.on_hand for lv in levels),
            sum(lv.committed for lv in levels),
            sum(lv.on_hand - lv.committed for lv in sellable),
        )
        assert (sku.code, sku.on_hand_total, sku.committed_total, sku.available_total) == (
            sku.code,
            *expected,
        )


def skip_unless_postgresql() -> None:
    """Row locks are PostgreSQL's; the embedded SQLite serialises writers."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; the embedded SQLite serialises writers")


def lock_waiters() -> int:
    """Sessions waiting for a lock now (pg_locks is read live; pg_stat_activity would be a
    snapshot per transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0]


def lock_waiters_await(*, timeout: float = 30.0) -> int:
    """Poll until a session waits for a lock (or ``timeout``); return how many wait."""
    deadline = time.monotonic() + timeout
    while lock_waiters() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)  # polls a condition, not an ordering sleep
    return lock_waiters()
