"""Counting the admin's large lists: the planner's estimate when large, an exact count otherwise."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory_app.admin import paging
from inventory_app.admin.paging import EstimatedCountPaginator
from inventory_app.models import SKU
from inventory_app.selectors.estimates import query_rows_estimate
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db


def _count(queryset) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        count = EstimatedCountPaginator(queryset, 10).count
    return count, [q["sql"] for q in queries.captured_queries]


def test_a_search_the_planner_expects_to_be_large_is_counted_from_its_estimate(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("planner estimates are PostgreSQL's; SQLite counts exactly (next test)")
    monkeypatch.setattr(paging, "ESTIMATE_ABOVE", 5)
    for n in range(30):
        SKUFactory(code=f"MUG-{n}", name="Mug")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE inventory_app_sku")
    broad = SKU.objects.filter(name__icontains="mug")
    narrow = SKU.objects.filter(code="MUG-7")

    broad_count, broad_sql = _count(broad)
    narrow_count, narrow_sql = _count(narrow)

    assert broad_count == query_rows_estimate(queryset=broad) > 5  # the estimate, not a COUNT
    assert not [sql for sql in broad_sql if "COUNT(" in sql]
    assert narrow_count == 1  # expected small: counted exactly
    assert [sql for sql in narrow_sql if "COUNT(" in sql]


def test_other_databases_count_a_search_exactly(monkeypatch):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite side")
    monkeypatch.setattr(paging, "ESTIMATE_ABOVE", 5)
    for n in range(30):
        SKUFactory(code=f"MUG-{n}", name="Mug")

    count, _ = _count(SKU.objects.filter(name__icontains="mug"))

    assert count == 30
    assert query_rows_estimate(queryset=SKU.objects.all()) is None
