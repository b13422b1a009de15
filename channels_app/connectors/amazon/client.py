"""Raw HTTP to the Selling Partner API: LWA access tokens, per-operation throttling, retries.

Only HTTP here (no mapping, no engine state). Every request goes through a
:class:`~channels_app.connectors.http.ChannelHttp` confined to one host (timeouts, status
checks, no secrets in logs): the SP-API host of the account, the Login with Amazon host, and the
presigned feed-document host (Amazon S3, checked by ``endpoints.document_url_allowed``).

Access tokens. The Login with Amazon refresh-token grant gives a bearer token valid for one hour
(``expires_in`` 3600), sent as ``x-amz-access-token``. Tokens are cached per (LWA URL, client id,
refresh token) in this process and shared by its threads; a token is replaced
``TOKEN_REFRESH_MARGIN`` seconds before it expires, and at once (one time per request) when
Amazon answers 401/403, e.g. "The access token you provided has expired.". Across processes each
worker refreshes once an hour - a handful of LWA calls, which keeps refresh tokens and access
tokens out of the database and Redis.

No AWS Signature Version 4: "Starting October 2, 2023, SP-API no longer requires the use of
AWS IAM or AWS Signature Version 4" (SP-API changelog); the LWA token is the whole authorisation.

Throttling. Each operation takes a token of its own usage plan first (``throttle``). A 429
QuotaExceeded is retried here after one token's refill time when that is short (at most
``INLINE_RETRY_MAX`` seconds, e.g. patchListingsItem 0.2 s, getOrderItems 2 s); otherwise it
becomes a RetryableError whose ``retry_after`` is that refill time (getOrders: about 60 s), and the
engine retries later. 5xx answers are retried once after a short pause.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests

from channels_app.connectors.amazon.endpoints import document_url_allowed
from channels_app.connectors.amazon.throttle import UsagePlanThrottle
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.http import ChannelHttp, host_root

TOKEN_REFRESH_MARGIN = 300.0
INLINE_RETRY_MAX = 2.0
MAX_429_RETRIES = 2
USER_AGENT = "StockMaster/1.0 (Language=Python)"


class AmazonApiError(ConnectorError):
    """A permanent SP-API error (4xx other than 429); ``status`` is the HTTP status."""

    def __init__(
        self, message: str, *, status: int | None, headers: Mapping[str, str] | None = None, body: str = ""
    ):
        super().__init__(message, status=status, headers=headers, body=body)


@dataclass
class _Token:
    value: str
    expires_at: float


class TokenCache:
    """Access tokens of this process, by (LWA URL, client id, refresh token) digest."""

    def __init__(self) -> None:
        self._tokens: dict[str, _Token] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(*, lwa_url: str, client_id: str, refresh_token: str) -> str:
        """A digest of what identifies one grant (no secret kept as a dict key)."""
        return hashlib.sha256(f"{lwa_url}\n{client_id}\n{refresh_token}".encode()).hexdigest()

    def get(self, key: str) -> str | None:
        """A token with more than TOKEN_REFRESH_MARGIN seconds to live, else None."""
        with self._lock:
            token = self._tokens.get(key)
        if token is None or token.expires_at - time.time() <= TOKEN_REFRESH_MARGIN:
            return None
        return token.value

    def put(self, key: str, value: str, expires_in: float) -> None:
        """Remember a fresh token."""
        with self._lock:
            self._tokens[key] = _Token(value, time.time() + expires_in)

    def drop(self, key: str, value: str) -> None:
        """Forget ``value`` (Amazon refused it); a newer token of another thread is kept."""
        with self._lock:
            token = self._tokens.get(key)
            if token is not None and token.value == value:
                del self._tokens[key]


TOKENS = TokenCache()
_refresh_lock = threading.Lock()


class LwaAuth:
    """The refresh-token grant of Login with Amazon, with the process-wide token cache."""

    def __init__(
        self,
        *,
        lwa_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        http_options: Mapping[str, Any],
        cache: TokenCache = TOKENS,
    ) -> None:
        root, self._path = host_root(lwa_url)
        self.http = ChannelHttp(base_url=root, **http_options)
        self._form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self.cache = cache
        self.key = cache.key(lwa_url=lwa_url, client_id=client_id, refresh_token=refresh_token)
        self.refreshes = 0

    def token(self) -> str:
        """A live access token, refreshed when missing or about to expire."""
        cached = self.cache.get(self.key)
        if cached:
            return cached
        with _refresh_lock:
            cached = self.cache.get(self.key)  # another thread may have refreshed meanwhile
            if cached:
                return cached
            return self._refresh()

    def invalidate(self, token: str) -> None:
        """Amazon refused ``token``: the next :meth:`token` asks LWA for a new one."""
        self.cache.drop(self.key, token)

    def _refresh(self) -> str:
        try:
            response = self.http.request(
                "POST",
                self._path,
                data=urlencode(self._form).encode(),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
                    "User-Agent": USER_AGENT,
                },
            )
        except RetryableError:
            raise
        except ConnectorError as exc:
            raise AmazonApiError(
                f"Login with Amazon refused the refresh token: {exc}",
                status=exc.status,
                headers=exc.headers,
                body=exc.body,
            ) from None
        try:
            data = response.json()
            value, expires_in = str(data["access_token"]), float(data.get("expires_in") or 3600)
        except (ValueError, KeyError, TypeError):
            raise ConnectorError("Login with Amazon answered without an access token") from None
        self.refreshes += 1
        self.cache.put(self.key, value, expires_in)
        return value


class SpApiClient:
    """Calls SP-API operations on the account's host with a token and within each usage plan."""

    def __init__(
        self,
        *,
        http: ChannelHttp,
        auth: LwaAuth,
        throttle: UsagePlanThrottle,
        http_options: Mapping[str, Any],
        sleep: Any = time.sleep,
    ) -> None:
        self.http = http
        self.auth = auth
        self.throttle = throttle
        self._http_options = dict(http_options)
        self._sleep = sleep

    def call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        json: Any = None,
    ) -> requests.Response:
        """One SP-API operation; returns the 2xx response.

        Raises RetryableError (429 that did not clear quickly, 5xx twice, timeouts) or
        AmazonApiError (other 4xx, including a 401/403 that a fresh token did not cure).
        """
        refreshed = False
        throttled = server_errors = 0
        while True:
            token = self.auth.token()
            self.throttle.acquire(operation)
            try:
                response = self.http.request(
                    method,
                    path,
                    params=params,  # type: ignore[arg-type]
                    json=json,
                    headers={
                        "x-amz-access-token": token,
                        "Accept": "application/json",
                        "User-Agent": USER_AGENT,
                    },
                )
            except RetryableError as exc:
                status = exc.status
                if status == 429:
                    wait = self.throttle.seconds_per_token(operation)
                    if wait <= INLINE_RETRY_MAX and throttled < MAX_429_RETRIES:
                        throttled += 1
                        self._sleep(wait)
                        continue
                    raise RetryableError(
                        f"{operation}: QuotaExceeded", retry_after=wait, status=429
                    ) from None
                if status is not None and status >= 500 and server_errors < 1:
                    server_errors += 1
                    self._sleep(0.5)
                    continue
                raise
            except ConnectorError as exc:
                status = exc.status
                if status in (401, 403) and not refreshed:
                    refreshed = True
                    self.auth.invalidate(token)
                    continue
                raise AmazonApiError(
                    f"{operation}: {exc}", status=status, headers=exc.headers, body=exc.body
                ) from None
            self.throttle.observe(operation, response.headers.get("x-amzn-RateLimit-Limit"))
            return response

    def call_json(self, operation: str, method: str, path: str, **kwargs: Any) -> Any:
        """:meth:`call` and decode the JSON body (None for an empty body such as a 204)."""
        response = self.call(operation, method, path, **kwargs)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ConnectorError(f"{operation}: the answer is not JSON") from None

    def document_url_check(self, *, url: str) -> None:
        """Refuse a presigned document URL outside Amazon S3 (the account's own host aside)."""
        if not document_url_allowed(url=url, base_url=self.http.base_url):
            raise ConnectorError("Refused a document URL outside Amazon S3")

    def document_read(self, *, operation: str, path: str) -> bytes:
        """A Feeds or Reports document: its descriptor (GET ``path``, ``operation``), then the
        bytes at its presigned URL (checked), gunzipped when ``compressionAlgorithm`` is GZIP."""
        descriptor = self.call_json(operation, "GET", path)
        if not isinstance(descriptor, Mapping) or not descriptor.get("url"):
            raise ConnectorError(f"{operation}: no url")
        url = str(descriptor["url"])
        self.document_url_check(url=url)
        raw = self.document_get(url=url)
        if descriptor.get("compressionAlgorithm") != "GZIP":
            return raw
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError):
            raise ConnectorError(f"{operation}: the document is not gzip") from None

    def document_http(self, *, url: str) -> tuple[ChannelHttp, str]:
        """A ChannelHttp confined to a presigned URL's host, and the path to request there."""
        root, rest = host_root(url)
        return ChannelHttp(base_url=root, **self._http_options), rest

    def document_put(self, *, url: str, body: bytes, content_type: str) -> None:
        """Upload a feed document to its presigned URL (Content-Type must match the declared one)."""
        http, rest = self.document_http(url=url)
        http.request("PUT", rest, data=body, headers={"Content-Type": content_type})

    def document_get(self, *, url: str) -> bytes:
        """Download a result document from its presigned URL."""
        http, rest = self.document_http(url=url)
        return http.request("GET", rest).content
