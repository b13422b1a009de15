"""Expiring access tokens a connector obtains from its channel, kept by the engine for every process.

A connector whose channel hands out expiring tokens (an OAuth client credentials grant, a rotating
refresh token) is ``StoresTokens`` (``connectors.base``) and gets a :class:`TokenStore` from the engine
(``channels_app.services.tokens``: an encrypted database row per account, shared by every worker
process and machine, on PostgreSQL and SQLite alike). The connector never requests a token per
call: it uses the stored one until it is about to expire, then asks the store to
:meth:`TokenStore.renew` it, which lets one caller at a time fetch a new token while the others
wait and reuse it. A rotated refresh token is replaced by compare-and-swap on ``version``, so a
renewal that lost the race never overwrites the winner's token.

:class:`MemoryTokenStore` is the same contract in one process (a connector built without the
engine, unit tests).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from channels_app.connectors.errors import ConnectorError


@dataclass(frozen=True)
class StoredToken:
    """An access token, when it expires (epoch seconds; None: never) and its refresh token if any.

    ``version`` counts the renewals of the account's token; secrets never show in ``repr``.
    """

    access_token: str = field(repr=False)
    expires_at: float | None = None
    refresh_token: str = field(default="", repr=False)
    refresh_expires_at: float | None = None
    scope: str = ""
    version: int = 0


def oauth_error_text(body: str) -> str:
    """The ``error: error_description`` of an OAuth error body (RFC 6749 5.2), for messages."""
    try:
        data = json.loads(body)
    except ValueError:
        return body[:200] or "no details"
    if isinstance(data, dict) and data.get("error"):
        return f"{data['error']}: {data.get('error_description', '')}".strip(": ")[:300]
    return str(data)[:200]


class ReconnectRequired(ConnectorError):
    """The channel refused the account's grant (app uninstalled, refresh token revoked or expired):
    staff must connect the account again. The message says what to do."""


class TokenStore(Protocol):
    """Where a connector's expiring token lives (see the module)."""

    def now(self) -> float:
        """The clock token expiry is measured on (epoch seconds)."""

    def read(self) -> StoredToken | None:
        """The stored token (None: none yet); ReconnectRequired when the account must reconnect."""

    def renew(
        self, *, stale_version: int | None, fetch: Callable[[StoredToken | None], StoredToken]
    ) -> StoredToken:
        """Replace the token of ``stale_version`` (None: the caller had none) by ``fetch(current)``.

        When the stored token is already newer than ``stale_version`` it is returned without a
        fetch. Otherwise one caller at a time (across processes) runs ``fetch`` with the current
        stored token and stores its result as the next version; the others wait for it and return
        it. An exception of ``fetch`` propagates and stores nothing.
        """

    def reconnect_required(self, *, reason: str) -> None:
        """Record that staff must reconnect the account; :meth:`read` raises from now on."""


class MemoryTokenStore:
    """A :class:`TokenStore` in this process only (threads share it)."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.token: StoredToken | None = None
        self.reason = ""
        self._lock = threading.Lock()

    def now(self) -> float:
        return self.clock()

    def read(self) -> StoredToken | None:
        if self.reason:
            raise ReconnectRequired(self.reason)
        return self.token

    def renew(
        self, *, stale_version: int | None, fetch: Callable[[StoredToken | None], StoredToken]
    ) -> StoredToken:
        with self._lock:
            current = self.read()
            if current is not None and current.version != stale_version:
                return current
            fresh = fetch(current)
            self.token = replace(fresh, version=(current.version if current else 0) + 1)
            return self.token

    def reconnect_required(self, *, reason: str) -> None:
        self.reason = reason


class RenewingToken:
    """An expiring OAuth token a connector calls its channel with: held by this process while it
    is usable, else read from the engine's :class:`TokenStore` and renewed there (one renewal at a
    time across every worker; a refused grant marks the account "reconnect").

    Subclasses set ``tokens`` and ``_held = None`` in ``__init__``, name the channel's messages
    (``reconnect``: the prefix of a :class:`ReconnectRequired` that must reach staff;
    ``not_connected``: no token at all) and implement :meth:`_refresh` (the current token to a new
    one, by the channel's refresh grant).
    """

    renew_margin: float = 300.0  # seconds before expiry a token is renewed
    reconnect: str = ""
    not_connected: str = ""
    tokens: TokenStore
    _held: StoredToken | None

    def _usable(self, token: StoredToken | None) -> bool:
        return token is not None and (
            token.expires_at is None or token.expires_at - self.tokens.now() > self.renew_margin
        )

    def token(self) -> StoredToken:
        """A token to call the API with now (renewed when missing or about to expire)."""
        if self._usable(self._held):
            return self._held  # type: ignore[return-value]
        held = self.tokens.read()
        for _ in range(3):
            if self._usable(held):
                break
            held = self._renew(stale=held)
        if held is None:
            raise ConnectorError(self.not_connected)
        self._held = held
        return held

    def refused(self, token: StoredToken) -> None:
        """The API answered 401 to ``token``: renew it once."""
        self._held = self._renew(stale=token)

    def _renew(self, *, stale: StoredToken | None) -> StoredToken:
        try:
            return self.tokens.renew(stale_version=stale.version if stale else None, fetch=self._refresh)
        except ReconnectRequired as exc:
            self._held = None
            if str(exc).startswith(self.reconnect):
                self.tokens.reconnect_required(reason=str(exc))
            raise

    def _refresh(self, current: StoredToken | None) -> StoredToken:
        """A fresh token from ``current`` (the channel's refresh grant)."""
        raise NotImplementedError
