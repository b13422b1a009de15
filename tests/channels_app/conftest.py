"""Fixtures of the sync engine's tests: fake shops on 127.0.0.1, accounts on them, eager Celery,
the Redis broker of the end-to-end tests."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

from channels_app.services.accounts import account_create
from channels_app.services.onboarding import account_listings_import
from config.sandbox.generic_channel import GenericChannelServer
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory


@pytest.fixture(scope="module")
def redis_url():
    """The Redis broker of the end-to-end tests: the one devservices started, else a private one
    (skip if impossible)."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    if url.startswith("redis://"):
        yield url
        return
    from config.devservices import redis_server

    with tempfile.TemporaryDirectory(prefix="e2e-redis-") as workdir:
        try:
            server = redis_server(Path(workdir))
            url = server.__enter__()
        except Exception as exc:
            pytest.skip(f"redis-server cannot be installed or started here: {exc}")
        try:
            yield url
        finally:
            server.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _channels_settings(settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    settings.CHANNELS_RATE_LIMIT_BACKEND = "db"
    settings.CHANNELS_PUSH_BACKOFF_BASE = 0.05


@pytest.fixture
def celery_eager_propagates() -> bool:
    """A failing task ends as it would on a worker (recorded, retried), not raised into the test."""
    return False


@pytest.fixture(autouse=True)
def _eager_celery(eager_celery):
    """Every sync engine test runs its tasks inline."""


@pytest.fixture
def shops():
    """A factory of started fake shops, all stopped at the end."""
    started: list[GenericChannelServer] = []

    def make(**kwargs) -> GenericChannelServer:
        shop = GenericChannelServer(**kwargs).start()
        started.append(shop)
        return shop

    yield make
    for shop in started:
        shop.stop()


@pytest.fixture
def connect():
    """Create a generic account on a fake shop and import its listings (auto-linked by SKU)."""

    def make(shop: GenericChannelServer, name: str, *, options: dict | None = None, **kwargs):
        account = account_create(
            kind="generic",
            name=name,
            base_url=shop.base_url,
            credentials={"api_key": shop.api_key, "webhook_secret": shop.webhook_secret},
            options={"rate_per_second": 50, **(options or {})},
            **kwargs,
        )
        account_listings_import(account=account)
        account.refresh_from_db()
        return account

    return make


@pytest.fixture
def shop_a(shops, connect, on_commit):
    """SKU LINEN-1 with 5 on hand, listed on shop A (showing 5)."""
    location = LocationFactory(code="MAIN")
    sku = SKUFactory(code="LINEN-1")
    shop = shops()
    shop.listing_add("A-L1", sku="LINEN-1", quantity=0)
    with on_commit(execute=True):
        stock_receive(sku=sku, location=location, quantity=5)
        account = connect(shop, "Shop A")
    return shop, account, sku, location


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        return


@pytest.fixture
def django_server(transactional_db, settings):
    """Our Django app on a real HTTP port of 127.0.0.1, built after the test's settings.

    pytest-django's ``live_server`` is started once per session, before the suite's fixtures
    switch the HTTPS redirect off, so deliveries to it would be redirected. This server handles
    one request at a time, in arrival order: the order a test releases deliveries in is the order
    they are applied in (with Celery eager, each delivery is processed inside its request).
    """
    settings.SECURE_SSL_REDIRECT = False
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    handler = WSGIHandler()

    def app(environ, start_response):
        try:
            return handler(environ, start_response)
        finally:
            connections.close_all()  # the server thread keeps no session open past the test

    httpd = make_server("127.0.0.1", 0, app, server_class=WSGIServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def stocked():
    """Our warehouse with SKUs named like the fake's variants: ``stocked({"LIN-0001-1": 5})``."""

    def make(quantities: dict[str, int]):
        location = LocationFactory(code="WH")
        skus = {}
        for code, quantity in quantities.items():
            skus[code] = SKUFactory(code=code)
            if quantity:
                stock_receive(sku=skus[code], location=location, quantity=quantity)
        return location, skus

    return make
