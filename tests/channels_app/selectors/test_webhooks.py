"""The webhook endpoint's account lookup: remembered briefly, disabled accounts not found."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels_app.selectors import webhooks
from channels_app.selectors.webhooks import account_for_webhook_token
from channels_app.services.accounts import account_create

pytestmark = pytest.mark.django_db


def _account(enabled: bool = True):
    return account_create(
        kind="generic",
        name="Shop",
        base_url="https://shop.example.com",
        credentials={"api_key": "k", "webhook_secret": "s"},
        enabled=enabled,
        schedule=False,
    )


def test_the_account_is_read_once_within_the_cache_window():
    account = _account()

    with CaptureQueriesContext(connection) as queries:
        first = account_for_webhook_token(token=account.webhook_token)
        second = account_for_webhook_token(token=account.webhook_token)

    assert (first.pk, second.pk) == (account.pk, account.pk)
    assert len(queries) == 1


def test_a_disabled_account_is_not_found_once_the_window_passed(monkeypatch):
    account = _account()
    assert account_for_webhook_token(token=account.webhook_token).pk == account.pk
    type(account).objects.filter(pk=account.pk).update(enabled=False)
    monkeypatch.setattr(webhooks, "ACCOUNT_CACHE_SECONDS", 0.0)

    assert account_for_webhook_token(token=account.webhook_token) is None
    assert account_for_webhook_token(token="no-such-token") is None
