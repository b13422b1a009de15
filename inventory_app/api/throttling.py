"""API throttles: per token, per client address, and failed token authentications per address.

Counts live in the "throttle" cache (Redis, or the database on the embedded default), so every
web process shares them. Over the rate the answer is 429 with Retry-After.
"""

from __future__ import annotations

from django.core.cache import caches
from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from inventory_app.models import ApiToken


def client_address(request: HttpRequest) -> str:
    """The caller's address: the peer, or the NUM_PROXIES-th hop from the end of X-Forwarded-For."""
    return BaseThrottle().get_ident(request)


class _SharedCacheThrottle(SimpleRateThrottle):
    def __init__(self):
        self.cache = caches["throttle"]
        super().__init__()

    def get_rate(self):
        # Read at each request, so that a changed setting (tests, a reload) takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


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
