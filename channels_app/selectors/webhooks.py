"""Finding the account a webhook delivery is for, cheaply: every delivery asks."""

from __future__ import annotations

import threading
import time

from channels_app.models import ChannelAccount

# Deliveries come in bursts of hundreds a second for the same few accounts: each web process
# keeps the answer for a moment. A change to an account (disabled, secret rotated) is seen by
# every web process within this many seconds; the drain re-reads the account anyway.
ACCOUNT_CACHE_SECONDS = 2.0

_cache: dict[str, tuple[float, ChannelAccount | None]] = {}
_lock = threading.Lock()


def account_for_webhook_token(*, token: str) -> ChannelAccount | None:
    """The enabled account whose webhook token is ``token`` (None: unknown or disabled),
    remembered for :data:`ACCOUNT_CACHE_SECONDS` in this process."""
    now = time.monotonic()
    hit = _cache.get(token)
    if hit is not None and now - hit[0] < ACCOUNT_CACHE_SECONDS:
        return hit[1]
    account = ChannelAccount.objects.filter(webhook_token=token, enabled=True).first()
    with _lock:
        if len(_cache) > 10_000:  # random tokens from scanners must not grow it without end
            _cache.clear()
        _cache[token] = (now, account)
    return account


def account_webhook_cache_clear() -> None:
    """Forget every remembered account (tests; a process that just changed accounts)."""
    with _lock:
        _cache.clear()
