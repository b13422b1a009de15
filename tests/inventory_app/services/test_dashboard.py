"""The dashboard snapshot: computed by the beat task into the cache, read by the page as it is."""

from __future__ import annotations

import json
import os

import pytest
from django.core.cache import cache
from django.db import connection

from inventory_app.services.dashboard import FIGURES_KEY, dashboard_figures_get, dashboard_figures_refresh
from inventory_app.services.stock import stock_receive
from inventory_app.tasks import dashboard_refresh_task
from tests.config.helpers import config_free_env, run_python
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


WORKER_REFRESH = """
import json, django
django.setup()
from inventory_app.services.dashboard import dashboard_figures_refresh
figures = dashboard_figures_refresh()
print(json.dumps({"out": figures.out, "as_of": figures.as_of.isoformat()}))
"""


@pytest.mark.django_db(transaction=True)  # the worker process reads what this test committed
def test_the_page_reads_the_snapshot_a_worker_process_took_without_redis(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the test database on a server")
    db = connection.settings_dict
    var = tmp_path / "var"
    settings.DASHBOARD_CACHE_SECONDS = 60
    settings.CACHES = {  # the embedded default (no REDIS_URL): files in VAR_DIR/cache
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(var / "cache"),
        },
    }
    SKUFactory(code="EMPTY")
    env = {
        **config_free_env(dict(os.environ), var),
        "DEBUG": "1",
        "DASHBOARD_CACHE_SECONDS": "60",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }

    worker = run_python(WORKER_REFRESH, env)
    SKUFactory(code="EMPTY-TOO")  # after the snapshot: the page must not recompute
    page = dashboard_figures_get()

    assert worker.returncode == 0, worker.stderr
    taken = json.loads(worker.stdout.strip().splitlines()[-1])
    assert taken["out"] == 1
    assert (page.out, page.as_of.isoformat()) == (1, taken["as_of"])
