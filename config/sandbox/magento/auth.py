"""The fake's check of a request's credentials, as Magento 2.4 does it (Magento_Integration OAuth).

OAuth 1.0a: the ``Authorization: OAuth k="v",...`` header's parameters (names and values
percent-decoded), plus the query string's (decoded); a JSON body is not signed. The signature is
recomputed per RFC 5849 3.4 with HMAC-SHA256 over ``scheme://Host-header/path``. Checked in
Magento's order: signature method, version, consumer, token, timestamp (at most 600 s ahead),
nonce (once per consumer), signature. A bearer token is accepted only when the store enables
integration tokens as bearer tokens (off by default since 2.4.4); otherwise the request is a guest
and fails the ACL check like a missing resource.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from urllib.parse import quote, unquote


class AuthRefused(Exception):
    """A refusal: HTTP ``status`` and Magento's error body."""

    def __init__(self, status: int, body: dict):
        super().__init__(body.get("message"))
        self.status = status
        self.body = body


def _enc(value: str) -> str:
    return quote(value, safe="~-._")


def not_authorized(resource: str) -> AuthRefused:
    return AuthRefused(
        401,
        {
            "message": "The consumer isn't authorized to access %resources.",
            "parameters": {"resources": resource},
        },
    )


@dataclass
class Integration:
    """An activated integration: its four values and the ACL resources it was granted."""

    consumer_key: str = "fake-consumer-key"
    consumer_secret: str = "fake-consumer-secret"
    access_token: str = "fake-access-token"
    access_token_secret: str = "fake-access-token-secret"
    consumer_id: int = 1
    resources: set[str] | None = None  # None: everything
    bearer_enabled: bool = False  # oauth/consumer/enable_integration_as_bearer
    nonces: set[str] = field(default_factory=set)

    def credentials(self) -> dict[str, str]:
        return {
            "consumer_key": self.consumer_key,
            "consumer_secret": self.consumer_secret,
            "access_token": self.access_token,
            "access_token_secret": self.access_token_secret,
        }

    def check(
        self, *, method: str, host: str, path: str, query: str, authorization: str, resource: str
    ) -> None:
        """Raise AuthRefused unless the request is this integration's and may use ``resource``."""
        if authorization[:6].lower() == "oauth ":
            self._check_oauth(method=method, host=host, path=path, query=query, header=authorization[6:])
        elif authorization[:7].lower() == "bearer " and authorization[7:].strip() == self.access_token:
            if not self.bearer_enabled:
                raise not_authorized(resource)
        else:
            raise not_authorized(resource)
        if self.resources is not None and resource not in self.resources:
            raise not_authorized(resource)

    def _check_oauth(self, *, method: str, host: str, path: str, query: str, header: str) -> None:
        params: dict[str, str] = {}
        for part in header.split(","):
            name, _, value = part.strip().partition("=")
            params[unquote(name.strip())] = unquote(value.strip().strip('"'))
        for name in ("oauth_consumer_key", "oauth_signature", "oauth_signature_method", "oauth_nonce",
                     "oauth_timestamp", "oauth_token"):  # fmt: skip
            if not params.get(name):
                raise AuthRefused(400, {"message": '"%fieldName" is required. Enter and try again.',
                                        "parameters": {"fieldName": name}})  # fmt: skip
        if params["oauth_signature_method"] != "HMAC-SHA256":
            raise AuthRefused(
                400,
                {
                    "message": "Signature method %1 is not supported",
                    "parameters": [params["oauth_signature_method"]],
                },
            )
        if "oauth_version" in params and params["oauth_version"] != "1.0":
            raise AuthRefused(
                400, {"message": "OAuth version %1 is not supported", "parameters": [params["oauth_version"]]}
            )
        if params["oauth_consumer_key"] != self.consumer_key:
            raise AuthRefused(401, {"message": "A consumer having the specified key does not exist"})
        if params["oauth_token"] != self.access_token:
            raise AuthRefused(401, {"message": "Specified token does not exist"})
        stamp = params["oauth_timestamp"]
        if not stamp.isdigit() or int(stamp) <= 0 or int(stamp) > time.time() + 600:
            raise AuthRefused(400, {"message": "Incorrect timestamp value in the oauth_timestamp parameter"})
        signed = [(k, v) for k, v in params.items() if k != "oauth_signature"]
        for part in query.split("&"):
            if part:
                name, _, value = part.partition("=")
                signed.append((unquote(name), unquote(value)))
        normalized = "&".join(f"{k}={v}" for k, v in sorted((_enc(k), _enc(v)) for k, v in signed))
        base = "&".join((method.upper(), _enc(f"http://{host.lower()}{path}"), _enc(normalized)))
        key = f"{_enc(self.consumer_secret)}&{_enc(self.access_token_secret)}"
        expected = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha256).digest()).decode()
        nonce = params["oauth_nonce"]
        if nonce in self.nonces:
            raise AuthRefused(
                401,
                {
                    "message": "The nonce is already being used by the consumer with ID %1",
                    "parameters": [self.consumer_id],
                },
            )
        self.nonces.add(nonce)
        if not hmac.compare_digest(expected, params["oauth_signature"]):
            raise AuthRefused(401, {"message": "The signature is invalid. Verify and try again."})
