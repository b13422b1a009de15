"""The shared token bucket, on the database and (when a Redis is running) on Redis."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter

import pytest

from channels_app.services.ratelimit import RateLimitTimeout, rate_limit_acquire
from tests.parallel import run_parallel


def _grants(backend: str, settings, *, threads: int, per_thread: int, rate: float) -> list[float]:
    settings.CHANNELS_RATE_LIMIT_BACKEND = backend
    settings.CHANNELS_RATE_LIMIT_MARGIN = 0.1  # the production default: room for scheduling jitter
    key = f"test-{backend}-{time.time()}"
    times: list[float] = []
    lock = threading.Lock()

    def run(_) -> str:
        for _ in range(per_thread):
            rate_limit_acquire(key=key, per_second=rate, burst=1, timeout=30)
            with lock:
                times.append(time.monotonic())
        return "done"

    assert run_parallel(threads, run) == Counter({"done": threads})
    return sorted(times)


def _max_in_window(times: list[float], window: float) -> int:
    best = start = 0
    for end in range(len(times)):
        while times[end] - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


@pytest.mark.django_db(transaction=True)
def test_db_bucket_spaces_grants_across_concurrent_callers(settings):
    times = _grants("db", settings, threads=4, per_thread=5, rate=10)

    assert len(times) == 20
    assert _max_in_window(times, 1.0) <= 10
    assert times[-1] - times[0] >= 1.9


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis (devservices --redis)")
def test_redis_bucket_spaces_grants_across_concurrent_callers(settings):
    settings.CHANNELS_REDIS_URL = os.environ["REDIS_URL"]
    times = _grants("redis", settings, threads=4, per_thread=5, rate=10)

    assert len(times) == 20
    assert _max_in_window(times, 1.0) <= 10
    assert times[-1] - times[0] >= 1.9


@pytest.mark.django_db(transaction=True)
def test_a_caller_that_cannot_get_a_token_in_time_gets_a_timeout(settings):
    settings.CHANNELS_RATE_LIMIT_BACKEND = "db"
    rate_limit_acquire(key="slow-bucket", per_second=0.1, burst=1, timeout=1)

    with pytest.raises(RateLimitTimeout):
        rate_limit_acquire(key="slow-bucket", per_second=0.1, burst=1, timeout=1)


def _operation_throttle(settings, account_id: int):
    from channels_app.connectors.dto import RateLimit
    from channels_app.services.ratelimit import OperationThrottle

    settings.CHANNELS_RATE_LIMIT_BACKEND = "db"
    settings.CHANNELS_RATE_LIMIT_MARGIN = 0.0
    limits = {"slowOp": RateLimit(per_second=0.5, burst=1), "fastOp": RateLimit(per_second=50.0, burst=2)}
    return OperationThrottle(account_id=account_id, limits=limits, max_wait=0.1)


@pytest.mark.django_db
def test_operation_throttle_keeps_one_shared_bucket_per_account_and_operation(settings):
    from channels_app.models import RateLimitBucket

    throttle = _operation_throttle(settings, account_id=7)

    throttle("slowOp")
    throttle("fastOp")
    throttle("fastOp")

    assert sorted(RateLimitBucket.objects.values_list("key", flat=True)) == [
        "channel-account:7:fastOp",
        "channel-account:7:slowOp",
    ]
    assert throttle.key("slowOp") == "channel-account:7:slowOp"


@pytest.mark.django_db
def test_an_exhausted_operation_raises_retryable_with_one_tokens_time_and_others_go_on(settings):
    from channels_app.connectors.errors import RetryableError

    throttle = _operation_throttle(settings, account_id=8)
    throttle("slowOp")

    with pytest.raises(RetryableError) as caught:
        throttle("slowOp")
    throttle("fastOp")  # its own bucket: not held up by slowOp's

    assert caught.value.retry_after == 2.0
    assert str(caught.value) == "slowOp: rate limit exhausted"


@pytest.mark.django_db
def test_a_lower_announced_rate_is_used_and_a_higher_one_ignored(settings):
    from channels_app.connectors.errors import RetryableError

    throttle = _operation_throttle(settings, account_id=9)
    throttle("fastOp", per_second=0.25)
    throttle("fastOp", per_second=0.25)  # the burst of 2

    with pytest.raises(RetryableError) as lower:
        throttle("fastOp", per_second=0.25)
    throttle("slowOp", per_second=100.0)
    with pytest.raises(RetryableError) as higher:
        throttle("slowOp", per_second=100.0)

    assert (lower.value.retry_after, higher.value.retry_after) == (4.0, 2.0)


def test_an_operation_without_a_declared_limit_is_refused(settings):
    from channels_app.connectors.errors import ConnectorError

    throttle = _operation_throttle(settings, account_id=10)

    with pytest.raises(ConnectorError, match="No rate limit declared for operation 'unknownOp'"):
        throttle("unknownOp")


@pytest.mark.django_db(transaction=True)
def test_while_redis_is_unreachable_the_database_bucket_of_the_key_stands_in(settings, caplog):
    from channels_app.models import RateLimitBucket

    settings.CHANNELS_RATE_LIMIT_BACKEND = "redis"
    settings.CHANNELS_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CHANNELS_RATE_LIMIT_MARGIN = 0.0

    rate_limit_acquire(key="down-bucket", per_second=0.1, burst=2, timeout=1)
    rate_limit_acquire(key="down-bucket", per_second=0.1, burst=2, timeout=1)
    with pytest.raises(RateLimitTimeout):
        rate_limit_acquire(key="down-bucket", per_second=0.1, burst=2, timeout=1)

    bucket = RateLimitBucket.objects.get(key="down-bucket")
    assert bucket.tokens < 1.0
    assert "Redis unreachable" in caplog.text
