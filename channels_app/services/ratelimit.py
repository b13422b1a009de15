"""A token-bucket rate limiter shared by every worker process and machine.

Backends: Redis (one Lua script, atomic on the server) when ``CHANNELS_REDIS_URL`` is set, else a
database row per bucket updated under ``SELECT ... FOR UPDATE`` in its own short transaction.
``CHANNELS_RATE_LIMIT_BACKEND`` forces one ("redis" or "db"). The bucket refills ``rate`` tokens
a second up to ``burst``; :func:`rate_limit_acquire` waits (in the worker, never in a request)
until it gets a token or its timeout passes. ``CHANNELS_RATE_LIMIT_MARGIN`` (default 10 %) slows
the bucket a little so network jitter cannot make the channel count more than its limit.
While Redis cannot be reached (restarted, failed over), the database bucket of the same key
stands in, so pushes go on paced instead of failing until Redis is back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from functools import cache

from django.conf import settings
from django.db import transaction

from channels_app.connectors.dto import RateLimit
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.models import RateLimitBucket

_LUA = """
local key = KEYS[1]
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', key, 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', key, 3600)
return tostring(wait)
"""


logger = logging.getLogger(__name__)


class RateLimitTimeout(Exception):
    """No token became free within the timeout."""


@cache
def _redis_script(url: str):
    import redis

    # Bounded waits: a Redis that hangs is treated like one that is down (see _try_redis).
    client = redis.Redis.from_url(url, socket_connect_timeout=2.0, socket_timeout=2.0)
    return client.register_script(_LUA)


def _backend() -> str:
    chosen = settings.CHANNELS_RATE_LIMIT_BACKEND
    if chosen == "auto":
        return "redis" if settings.CHANNELS_REDIS_URL else "db"
    return chosen


def _try_redis(*, key: str, rate: float, burst: int) -> float:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    try:
        return float(
            _redis_script(settings.CHANNELS_REDIS_URL)(keys=[f"ratelimit:{key}"], args=[rate, burst])
        )
    except (RedisConnectionError, RedisTimeoutError) as exc:
        logger.warning("rate limiter: Redis unreachable (%s); the database bucket %s stands in", exc, key)
        return _try_db(key=key, rate=rate, burst=burst)


def _try_db(*, key: str, rate: float, burst: int) -> float:
    now = time.time()
    with transaction.atomic():
        RateLimitBucket.objects.get_or_create(key=key, defaults={"tokens": float(burst), "updated_at": now})
        bucket = RateLimitBucket.objects.select_for_update().get(key=key)
        now = time.time()  # after the lock: the time this holder really acts
        tokens = min(float(burst), bucket.tokens + max(0.0, now - bucket.updated_at) * rate)
        if tokens >= 1:
            RateLimitBucket.objects.filter(pk=bucket.pk).update(tokens=tokens - 1, updated_at=now)
            return 0.0
        RateLimitBucket.objects.filter(pk=bucket.pk).update(tokens=tokens, updated_at=now)
        return (1 - tokens) / rate


def rate_limit_acquire(*, key: str, per_second: float, burst: int = 1, timeout: float = 60.0) -> None:
    """Take one token from bucket ``key`` (waiting as needed); raises RateLimitTimeout.

    Only a call that got a token may send its request; the wait is computed by the backend so
    that every process sees the same bucket.
    """
    margin = float(settings.CHANNELS_RATE_LIMIT_MARGIN)
    rate = per_second / (1 + margin)
    burst = max(int(burst), 1)
    deadline = time.monotonic() + timeout
    attempt = _try_redis if _backend() == "redis" else _try_db
    while True:
        wait = attempt(key=key, rate=rate, burst=burst)
        if wait <= 0:
            return
        if time.monotonic() + wait > deadline:
            raise RateLimitTimeout(f"No rate-limit token for {key} within {timeout}s")
        time.sleep(wait)


class OperationThrottle:
    """The :data:`~channels_app.connectors.base.Throttle` the engine hands a connector.

    One shared bucket per (account, operation): ``channel-account:{account_id}:{operation}``,
    with the rate and burst the connector declares in ``rate_limits``. A call waits at most
    ``max_wait`` seconds (its own, else the throttle's) for a token, else raises RetryableError
    (status 429) whose ``retry_after`` is the time one token takes. An operation without a declared limit is
    a programming error of the connector (ConnectorError).
    """

    def __init__(self, *, account_id: int, limits: Mapping[str, RateLimit], max_wait: float = 30.0) -> None:
        self.account_id = account_id
        self.limits = dict(limits)
        self.max_wait = max_wait

    def key(self, operation: str) -> str:
        """The shared bucket's key for ``operation``."""
        return f"channel-account:{self.account_id}:{operation}"

    def __call__(
        self, operation: str, *, per_second: float | None = None, max_wait: float | None = None
    ) -> None:
        """Take one token of ``operation``'s bucket (see the class)."""
        limit = self.limits.get(operation)
        if limit is None:
            raise ConnectorError(f"No rate limit declared for operation {operation!r}")
        rate = limit.per_second if per_second is None else min(limit.per_second, per_second)
        try:
            rate_limit_acquire(
                key=self.key(operation),
                per_second=rate,
                burst=limit.burst,
                timeout=self.max_wait if max_wait is None else max_wait,
            )
        except RateLimitTimeout:
            # 429: to the engine this is the channel's rate limit saying "not now", like a 429.
            raise RetryableError(
                f"{operation}: rate limit exhausted", retry_after=1.0 / rate, status=429
            ) from None
