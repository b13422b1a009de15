"""The environment every benchmark process sets before Django starts."""

from __future__ import annotations

import os


def bench_environ_set(*, log_level: str = "WARNING") -> None:
    """Settings for a benchmark: its own throwaway secret key, plain HTTP, loopback channels.

    Only defaults are set (a value already in the environment wins), apart from the two the
    benchmarks need: fake channels on 127.0.0.1 and no HTTPS redirect.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + os.urandom(24).hex())
    os.environ["CHANNELS_ALLOW_PRIVATE_HOSTS"] = "1"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("LOG_LEVEL", log_level)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    # Every benchmark client comes from 127.0.0.1: no API throttles unless asked for.
    for name in ("API_THROTTLE_TOKEN", "API_THROTTLE_ADDRESS"):
        os.environ.setdefault(name, "")
