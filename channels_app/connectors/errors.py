"""The exceptions a connector hook raises (each hook says which), and what the engine does with them.

* :class:`RetryableError` (429, 5xx, timeouts; ``retry_after`` seconds if the channel said) - the
  engine retries later with backoff;
* :class:`ConnectorError` - a permanent failure for that call (bad request, auth); the engine
  records it on the account or listing and retries only on the next schedule.
"""

from __future__ import annotations

from collections.abc import Mapping


class ConnectorError(Exception):
    """A channel call failed permanently (4xx, unexpected answer). Message is safe to log.

    Raised by :class:`~channels_app.connectors.http.ChannelHttp` for an HTTP answer, it carries
    the answer's ``status``, a safe subset of its ``headers`` (``http.SAFE_HEADERS``, lower-case
    names) and the first ``http.BODY_KEEP`` characters of its ``body`` with known secrets
    scrubbed. ``status`` is None for timeouts, connection errors and refused hosts.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        body: str = "",
    ):
        super().__init__(message)
        self.status = status
        self.headers: dict[str, str] = dict(headers or {})
        self.body = body


class RetryableError(ConnectorError):
    """A channel call failed transiently (429, 5xx, timeout); ``retry_after`` in seconds if known."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        body: str = "",
    ):
        super().__init__(message, status=status, headers=headers, body=body)
        self.retry_after = retry_after


class WebhookSignatureError(ConnectorError):
    """A webhook's signature is missing or wrong: reject it, store nothing."""


class WebhookPayloadError(ConnectorError):
    """A webhook's body is not what the connector expects (malformed JSON...)."""


class WebhookPing(ConnectorError):
    """A delivery that only tests the URL (WooCommerce's ping when a hook is saved): raised by
    ``webhook_verify``; the route answers 200 and stores nothing."""
