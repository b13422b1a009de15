"""API throttles: per token, per client address, and failed token authentications per address.

Counts live in the "throttle" cache (Redis, or the database on the embedded default), so every
web process shares them. Over the rate the answer is 429 with Retry-After.

Every response of a throttled view carries the quota of its most constrained throttle as the
fields of draft-ietf-httpapi-ratelimit-headers-06: ``RateLimit-Limit`` (requests per window),
``RateLimit-Remaining`` and ``RateLimit-Reset`` (seconds until the window frees a request), plus
``RateLimit-Policy`` (``<limit>;w=<window seconds>``). They come from the history the throttle
has just read: no extra cache round trip.
"""

from __future__ import annotations

import math

from django.core.cache import caches
from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from inventory_app.models import ApiToken


def client_address(request: HttpRequest) -> str:
    """The caller's address: the peer, or the NUM_PROXIES-th hop from the end of X-Forwarded-For."""
    return BaseThrottle().get_ident(request)


RATELIMIT_ATTRIBUTE = "ratelimit_quota"


def ratelimit_headers(request: HttpRequest) -> dict[str, str]:
    """The RateLimit-* fields for a request a throttle has counted ({} when none did)."""
    quota = getattr(request, RATELIMIT_ATTRIBUTE, None)
    if quota is None:
        return {}
    limit, remaining, reset, window = quota
    return {
        "RateLimit-Limit": str(limit),
        "RateLimit-Remaining": str(remaining),
        "RateLimit-Reset": str(reset),
        "RateLimit-Policy": f"{limit};w={window}",
    }


class _SharedCacheThrottle(SimpleRateThrottle):
    def __init__(self):
        self.cache = caches["throttle"]
        super().__init__()

    def get_rate(self):
        # Read at each request, so that a changed setting (tests, a reload) takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        """SimpleRateThrottle's decision, noting this throttle's quota on the Django request when
        it leaves fewer requests than the throttles before it."""
        self._request = request
        return super().allow_request(request, view)

    def throttle_success(self):
        allowed = super().throttle_success()
        self._note_quota(remaining=self.num_requests - len(self.history))
        return allowed

    def throttle_failure(self):
        self._note_quota(remaining=0)
        return super().throttle_failure()

    def _note_quota(self, *, remaining: int) -> None:
        oldest = self.history[-1] if self.history else self.now
        reset = max(0, math.ceil(oldest + self.duration - self.now))
        django_request = getattr(self._request, "_request", self._request)
        noted = getattr(django_request, RATELIMIT_ATTRIBUTE, None)
        if noted is None or remaining < noted[1]:
            setattr(django_request, RATELIMIT_ATTRIBUTE, (self.num_requests, remaining, reset, self.duration))


class TokenRateThrottle(_SharedCacheThrottle):
    """Requests per API token (requests authenticated otherwise are not counted here)."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class AddressRateThrottle(_SharedCacheThrottle):
    """Requests per client address, whoever makes them."""

    scope = "address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AuthFailureThrottle(_SharedCacheThrottle):
    """Failed token authentications per client address; over the rate every token attempt from
    the address answers 429 until the window has passed (a right token too: it cannot be told
    apart from a guess)."""

    scope = "auth_failure"

    def check(self, request) -> None:
        """Raise Throttled when the address has used up its failures."""
        if self.rate is None:
            return
        self.key = self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            raise exceptions.Throttled(wait=self.wait())

    def record(self) -> None:
        """Count one failure of the request last checked."""
        if self.rate is not None:
            self.history.insert(0, self.now)
            self.cache.set(self.key, self.history, self.duration)
