"""The engine's :class:`~channels_app.connectors.tokens.TokenStore`: one encrypted row per account.

The row (``ChannelToken``) is shared by every worker process and machine and works the same on
PostgreSQL and the embedded SQLite (no Redis needed). A renewal takes a lease on the row with one
conditional UPDATE (``version`` unchanged and no live lease), so one worker fetches while the
others poll the row until the version moves (or the lease runs out, then they try themselves).
The new token is written by compare-and-swap on ``version``: if another worker's token landed
first (a lease that ran out mid-fetch), the later one is dropped and the stored one returned.

Token expiry is measured on :func:`token_clock` (the wall clock; tests that cross a simulated day
set it with :func:`token_clock_set`); leases are on the wall clock.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import replace

from django.db.models import F, Q
from django.utils import timezone

from channels_app.connectors.errors import RetryableError
from channels_app.connectors.tokens import ReconnectRequired, StoredToken
from channels_app.crypto import credentials_decrypt, credentials_encrypt
from channels_app.models import ChannelAccount, ChannelToken

LEASE_SECONDS = 30.0
POLL_SECONDS = 0.05

_clock: Callable[[], float] = time.time


def token_clock() -> float:
    """Now, on the clock token expiry is measured on (epoch seconds)."""
    return _clock()


def token_clock_set(clock: Callable[[], float] | None) -> None:
    """Measure token expiry on ``clock`` (None: the wall clock again). For simulated time."""
    global _clock
    _clock = clock or time.time


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:255]


def _token(row: ChannelToken) -> StoredToken | None:
    if not row.secrets_encrypted:
        return None
    secrets = credentials_decrypt(token=row.secrets_encrypted)
    return StoredToken(
        access_token=secrets.get("access_token", ""),
        refresh_token=secrets.get("refresh_token", ""),
        expires_at=row.expires_at,
        refresh_expires_at=row.refresh_expires_at,
        scope=row.scope,
        version=row.version,
    )


def _values(token: StoredToken) -> dict:
    secrets = {"access_token": token.access_token}
    if token.refresh_token:
        secrets["refresh_token"] = token.refresh_token
    return {
        "secrets_encrypted": credentials_encrypt(credentials=secrets),
        "expires_at": token.expires_at,
        "refresh_expires_at": token.refresh_expires_at,
        "scope": token.scope[:1000],
        "renewed_at": timezone.now(),
    }


class AccountTokenStore:
    """The token row of account ``account_id`` (see the module)."""

    def __init__(self, *, account_id: int, lease_seconds: float = LEASE_SECONDS) -> None:
        self.account_id = account_id
        self.lease_seconds = lease_seconds

    def now(self) -> float:
        return token_clock()

    def _row(self) -> ChannelToken:
        row, _ = ChannelToken.objects.get_or_create(account_id=self.account_id)
        return row

    def read(self) -> StoredToken | None:
        row = ChannelToken.objects.filter(account_id=self.account_id).first()
        if row is None:
            return None
        if row.reconnect_reason:
            raise ReconnectRequired(row.reconnect_reason)
        return _token(row)

    def renew(
        self, *, stale_version: int | None, fetch: Callable[[StoredToken | None], StoredToken]
    ) -> StoredToken:
        holder = _holder()
        deadline = time.time() + 3 * self.lease_seconds
        while True:
            row = self._row()
            if row.reconnect_reason:
                raise ReconnectRequired(row.reconnect_reason)
            current = _token(row)
            if current is not None and current.version != stale_version:
                return current  # someone renewed it already
            now = time.time()
            taken = (
                ChannelToken.objects.filter(pk=row.pk, version=row.version)
                .filter(Q(renewing_until__isnull=True) | Q(renewing_until__lt=now))
                .update(renewing_until=now + self.lease_seconds, renewing_by=holder)
            )
            if taken:
                return self._fetch_and_store(row=row, current=current, fetch=fetch)
            if time.time() > deadline:
                raise RetryableError("Another worker is still renewing the access token", retry_after=5.0)
            time.sleep(POLL_SECONDS)  # another worker is renewing: wait for its token

    def _fetch_and_store(
        self,
        *,
        row: ChannelToken,
        current: StoredToken | None,
        fetch: Callable[[StoredToken | None], StoredToken],
    ) -> StoredToken:
        try:
            fresh = fetch(current)
        except BaseException:
            ChannelToken.objects.filter(pk=row.pk, renewing_by=_holder()).update(renewing_until=None)
            raise
        stored = ChannelToken.objects.filter(pk=row.pk, version=row.version).update(
            **_values(fresh), version=F("version") + 1, renewing_until=None, renewing_by=""
        )
        if not stored:  # another worker's token landed first: it wins, ours is dropped
            winner = self.read()
            if winner is None:
                raise ReconnectRequired("The stored token vanished during a renewal")
            return winner
        return replace(fresh, version=row.version + 1)

    def reconnect_required(self, *, reason: str) -> None:
        """Record the refusal on the token row and as the account's last error (staff see it)."""
        ChannelToken.objects.filter(pk=self._row().pk).update(
            reconnect_reason=reason[:2000], renewing_until=None
        )
        ChannelAccount.objects.filter(pk=self.account_id).update(last_error=reason[:2000])


def account_token_grant_store(*, account: ChannelAccount, token: StoredToken) -> None:
    """Store a token pair obtained by connecting the account (a new grant): replaces whatever was
    stored, clears the reconnect state, next version."""
    row, _ = ChannelToken.objects.get_or_create(account=account)
    ChannelToken.objects.filter(pk=row.pk).update(
        **_values(token), version=F("version") + 1, reconnect_reason="", renewing_until=None, renewing_by=""
    )


def account_token_forget(*, account: ChannelAccount) -> None:
    """Drop the account's stored token (its credentials changed: the next call gets a new one)."""
    ChannelToken.objects.filter(account=account).delete()
