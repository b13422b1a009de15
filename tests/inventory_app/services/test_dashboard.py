"""The dashboard snapshot: computed by the beat task into the cache, read by the page as it is."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from inventory_app.services.dashboard import FIGURES_KEY, dashboard_figures_get, dashboard_figures_refresh
from inventory_app.services.stock import stock_receive
from inventory_app.tasks import dashboard_refresh_task
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def caching(settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    cache.delete(FIGURES_KEY)
    yield
    cache.delete(FIGURES_KEY)


def test_the_page_reads_the_snapshot_the_task_took_until_the_next_refresh(caching):
    SKUFactory(code="EMPTY")
    assert dashboard_refresh_task() is True
    stock_receive(sku=SKUFactory(code="FULL"), location=LocationFactory(), quantity=1)
    SKUFactory(code="EMPTY-TOO")

    cached = dashboard_figures_get()
    refreshed = dashboard_figures_refresh()

    assert cached.out == 1  # the snapshot: one SKU out of stock when it was taken
    assert refreshed.out == 2
    assert dashboard_figures_get().out == 2


def test_without_caching_the_task_does_nothing_and_the_page_computes(settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    SKUFactory(code="EMPTY")

    assert dashboard_refresh_task() is False
    assert cache.get(FIGURES_KEY) is None
    assert dashboard_figures_get().out == 1
