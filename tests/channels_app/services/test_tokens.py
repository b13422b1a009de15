"""The shared token row: one renewal at a time, compare-and-swap on the version, the reconnect
state, secrets encrypted."""

from __future__ import annotations

import pytest

from channels_app.connectors.tokens import ReconnectRequired, StoredToken
from channels_app.models import ChannelAccount, ChannelToken
from channels_app.services.tokens import AccountTokenStore

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(connect, shops):
    return connect(shops(), "Shop")


def _token(name: str) -> StoredToken:
    return StoredToken(access_token=f"at-{name}", refresh_token=f"rt-{name}", expires_at=1000.0)


def test_a_renewal_stores_the_next_version_encrypted(account):
    store = AccountTokenStore(account_id=account.pk)

    first = store.renew(stale_version=None, fetch=lambda current: _token("a"))
    second = store.renew(
        stale_version=first.version, fetch=lambda current: _token(f"b-after-{current.refresh_token}")
    )
    row = ChannelToken.objects.get(account=account)

    assert (first.version, second.version, row.version) == (1, 2, 2)
    assert store.read().refresh_token == "rt-b-after-rt-a"  # the fetch got the stored refresh token
    assert "rt-b" not in row.secrets_encrypted and "at-b" not in row.secrets_encrypted
    assert (row.renewing_until, row.renewing_by) == (None, "")


def test_a_token_another_worker_renewed_already_is_returned_without_a_fetch(account):
    store = AccountTokenStore(account_id=account.pk)
    store.renew(stale_version=None, fetch=lambda current: _token("a"))
    fetched = []

    got = store.renew(stale_version=0, fetch=lambda current: fetched.append(1) or _token("b"))

    assert (got.version, got.refresh_token, fetched) == (1, "rt-a", [])


def test_a_renewal_that_lost_the_race_keeps_the_winners_token(account):
    """Worker A's lease ran out mid-fetch; worker B renewed and stored first: A's token is dropped."""
    a, b = AccountTokenStore(account_id=account.pk), AccountTokenStore(account_id=account.pk)
    a.renew(stale_version=None, fetch=lambda current: _token("v1"))

    def slow_fetch(current):
        ChannelToken.objects.filter(account=account).update(renewing_until=0.0)  # A's lease ran out
        b.renew(stale_version=1, fetch=lambda current: _token("from-b"))
        return _token("from-a")

    got = a.renew(stale_version=1, fetch=slow_fetch)

    assert (got.version, got.refresh_token) == (2, "rt-from-b")
    assert a.read().refresh_token == "rt-from-b"
    assert ChannelToken.objects.get(account=account).version == 2


def test_a_failed_fetch_stores_nothing_and_frees_the_renewal(account):
    store = AccountTokenStore(account_id=account.pk)

    def failing(current):
        raise RuntimeError("token endpoint down")

    with pytest.raises(RuntimeError):
        store.renew(stale_version=None, fetch=failing)
    got = store.renew(stale_version=None, fetch=lambda current: _token("a"))

    assert got.version == 1
    assert ChannelToken.objects.get(account=account).renewing_until is None


def test_reconnect_required_is_kept_on_the_row_and_shown_as_the_accounts_last_error(account):
    store = AccountTokenStore(account_id=account.pk)
    store.renew(stale_version=None, fetch=lambda current: _token("a"))
    fetched = []

    store.reconnect_required(reason="Reconnect Shopify: revoked")

    with pytest.raises(ReconnectRequired, match="Reconnect Shopify: revoked"):
        store.read()
    with pytest.raises(ReconnectRequired):
        store.renew(stale_version=1, fetch=lambda current: fetched.append(1) or _token("b"))
    assert fetched == []
    assert ChannelAccount.objects.get(pk=account.pk).last_error == "Reconnect Shopify: revoked"
