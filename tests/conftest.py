"""Suite-wide fixtures: the network is closed except loopback; factories are importable."""

from __future__ import annotations

import ipaddress
import itertools
import socket

import pytest

# The fake Shopify's fixtures (fake_shopify, dev_dashboard_shop, shopify_client, webhook_receiver).
pytest_plugins = ["config.sandbox.shopify.fixtures"]

_real_connect = socket.socket.connect
_throttle_caches = itertools.count()


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else None
    if host is not None:
        try:
            ip = ipaddress.ip_address(
                socket.gethostbyname(host) if not host.startswith("[") else host.strip("[]")
            )
        except (OSError, ValueError):
            ip = None
        if ip is not None and not ip.is_loopback:
            raise ConnectionRefusedError(f"tests may only reach loopback, not {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _block_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks of the block (what a real commit would trigger)."""
    return django_capture_on_commit_callbacks


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """The test client speaks plain HTTP; production redirects to HTTPS."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _core_defaults(request):
    """Rows the data migration creates (role groups, the manual channel).

    Transactional tests flush the database afterwards, data-migration rows included, so every
    database test makes sure they exist again.
    """
    if request.node.get_closest_marker("django_db") is None:
        return
    from django.contrib.auth.models import Group

    from inventory_app.models import SalesChannel

    if "transactional_db" not in request.fixturenames and "db" not in request.fixturenames:
        marker = request.node.get_closest_marker("django_db")
        request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    for name in ("viewer", "operator", "manager"):
        Group.objects.get_or_create(name=name)
    SalesChannel.objects.get_or_create(code="manual", defaults={"name": "Manual / API", "kind": "manual"})


@pytest.fixture
def api_client(db):
    """Factory of REST clients authenticated by a real API token: ``api_client("operator")``.

    Each call makes a new user with the role (or uses ``user=``) and issues a token through
    ``api_token_issue``; the client carries it as ``Authorization: Token <key>`` and exposes the
    user as ``client.user``.
    """
    from rest_framework.test import APIClient

    from inventory_app.services.tokens import api_token_issue
    from tests.factories import UserFactory

    def make(role: str | None = "viewer", *, user=None) -> APIClient:
        user = user or UserFactory(role=role)
        _, key = api_token_issue(user=user, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        client.user = user
        return client

    return make


@pytest.fixture
def celery_eager_propagates() -> bool:
    """Whether an eagerly run task's error is raised into the caller (settings' default: it is).
    A conftest overrides this fixture to run its tests' tasks as a worker would."""
    return True


@pytest.fixture
def eager_celery(celery_eager_propagates):
    """Tasks run inline in the caller's thread; both Celery settings are restored afterwards."""
    from config.celery import app as celery_app

    conf = celery_app.conf
    previous = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, celery_eager_propagates
    yield
    conf.task_always_eager, conf.task_eager_propagates = previous


@pytest.fixture
def celery_through_broker():
    """Tasks go to the configured broker (for a real worker process) instead of running eagerly."""
    from config.celery import app as celery_app

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _celery_join_state():
    """An in-process worker (some tests and helpers start one) flags the process as a worker, after
    which ``AsyncResult.get()`` refuses to run; every test starts from a plain client process."""
    from celery import _state

    _state._set_task_join_will_block(False)
    yield
    _state._set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _webhook_account_cache():
    """Each test starts with no account remembered by the webhook endpoint."""
    from channels_app.selectors.webhooks import account_webhook_cache_clear

    account_webhook_cache_clear()
    yield
    account_webhook_cache_clear()


@pytest.fixture(autouse=True)
def _fresh_throttles(request):
    """Each database test counts API requests from zero (all come from 127.0.0.1): its own
    throttle cache. The throttle tests choose the production backends (Redis, the database table)."""
    uses_db = {"db", "transactional_db"} & set(request.fixturenames)
    if request.node.get_closest_marker("django_db") is None and not uses_db:
        return
    settings = request.getfixturevalue("settings")
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Numbered: parametrized items can share a node id (the API fuzz test's 109 do).
            "LOCATION": f"{request.node.nodeid}#{next(_throttle_caches)}",
        },
    }


@pytest.fixture(autouse=True)
def _dashboard_uncached(settings):
    """The dashboard computes its figures on every request in tests (its cache is Redis, shared
    by every test of the run); tests of the cache turn it back on."""
    settings.DASHBOARD_CACHE_SECONDS = 0
