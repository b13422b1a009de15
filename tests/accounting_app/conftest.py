"""Fixtures: the fake vendors as real HTTP servers on 127.0.0.1 and connected connections."""

from __future__ import annotations

import pytest

from config.sandbox.quickbooks.fake import FakeQuickBooks
from config.sandbox.xero.fake import FakeXero
from tests.accounting_app.scenario import QBO_ACCOUNTS, XERO_ACCOUNTS, Shop, connect, connection_make


@pytest.fixture(autouse=True)
def _fakes_on_loopback(settings):
    """The fake vendors run on 127.0.0.1: loopback endpoints are allowed (production refuses them)."""
    settings.ACCOUNTING_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture
def celery_eager_propagates() -> bool:
    """A failing task ends as it would on a worker (recorded, retried), not raised into the test."""
    return False


@pytest.fixture(autouse=True)
def _eager_celery(eager_celery):
    """Every accounting test runs its tasks inline."""


@pytest.fixture
def fake_xero():
    with FakeXero() as fake:
        yield fake


@pytest.fixture
def shop(db):
    return Shop()


@pytest.fixture
def xero(db, fake_xero):
    """A Xero connection connected through the real OAuth flow, every role mapped."""
    connection = connection_make(kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS)
    return connect(connection, fake_xero)


@pytest.fixture
def fake_qbo():
    with FakeQuickBooks() as fake:
        yield fake


@pytest.fixture
def qbo(db, fake_qbo):
    """A QuickBooks connection (sales receipts) connected through the real OAuth flow."""
    connection = connection_make(
        kind="quickbooks", fake=fake_qbo, accounts=QBO_ACCOUNTS, sales_mode="sales_receipt"
    )
    return connect(connection, fake_qbo)
