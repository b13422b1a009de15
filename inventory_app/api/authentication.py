"""Token authentication against hashed tokens: ``Authorization: Token <key>`` or ``Bearer <key>``."""

from __future__ import annotations

from rest_framework import authentication, exceptions

from inventory_app.api.throttling import AuthFailureThrottle
from inventory_app.services.tokens import api_token_authenticate


class HashedTokenAuthentication(authentication.BaseAuthentication):
    """Authenticate a request by an API token whose SHA-256 hash is stored.

    Failed attempts are counted per client address; past API_THROTTLE_AUTH_FAILURES the address
    gets 429 with Retry-After for its token attempts.
    """

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        failures = AuthFailureThrottle()
        failures.check(request)
        try:
            return self._authenticate(header)
        except exceptions.AuthenticationFailed:
            failures.record()
            raise

    def _authenticate(self, header: list[bytes]):
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: expected 'Token <key>'.")
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token header: not ASCII.") from exc
        token = api_token_authenticate(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return "Token"
