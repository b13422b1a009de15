"""Amazon SQS, as the SP-API Notifications API delivers ORDER_CHANGE: the queue client.

The seller's app subscribes ORDER_CHANGE to a destination that is an SQS queue (see the package
docstring for the set-up); Amazon then writes every notification as one SQS message whose body is
the notification JSON. This module reads that queue with the SQS API in the AWS JSON 1.0
protocol: ``POST /`` to the queue's host with ``Content-Type: application/x-amz-json-1.0`` and
``X-Amz-Target: AmazonSQS.<Action>``, a JSON body, JSON answers, errors as
``{"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "..."}`` (HTTP 400, 403 for a bad
signature), every request signed with AWS Signature Version 4 (service ``sqs``).

Actions used: ``ReceiveMessage`` (``MaxNumberOfMessages`` <= 10, long polling by
``WaitTimeSeconds`` <= 20, ``VisibilityTimeout``: the messages stay hidden from other readers that
long, then come back unless deleted) and ``DeleteMessageBatch`` (<= 10 ``Entries`` of
``{"Id", "ReceiptHandle"}``; per-entry ``Successful`` / ``Failed``).

HTTP goes through a :class:`~channels_app.connectors.http.ConfinedHttp` confined to the queue's
host, which must be an SQS endpoint (``sqs.<region>.amazonaws.com``) over https unless private
hosts are allowed (tests, benchmarks). No shared rate limit: SQS has no per-account request quota
that matters here (one long poll per account at a time).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from channels_app.connectors.amazon.mapping import (
    AmazonPayloadError,
    order_change_parts,
    order_from_order_change,
)
from channels_app.connectors.dto import OrderDTO, PulledEvent
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.http import ConfinedHttp, HostRefused, retry_after_parse, safe_headers
from config.safejson import json_loads_bounded

logger = logging.getLogger(__name__)

JSON_10 = "application/x-amz-json-1.0"
MAX_MESSAGES = 10
MAX_WAIT_SECONDS = 20
BODY_KEEP = 300
SQS_HOST = re.compile(r"^(sqs\.[a-z0-9-]+\.amazonaws\.com(\.cn)?|[a-z0-9-]+\.queue\.amazonaws\.com)$")
# Error types SQS answers for a request it would take later (throttled, busy).
RETRYABLE_TYPES = ("RequestThrottled", "ThrottlingException", "ServiceUnavailable", "InternalError")


class SqsError(ConnectorError):
    """SQS refused a request; ``error_type`` is its ``__type`` (e.g. ``...#QueueDoesNotExist``)."""

    def __init__(self, message: str, *, error_type: str = "", **kwargs: Any):
        super().__init__(message, **kwargs)
        self.error_type = error_type


@dataclass(frozen=True)
class AwsCredentials:
    """An IAM user's access key (the one the SQS queue's policy lets receive and delete)."""

    access_key_id: str
    secret_access_key: str
    region: str
    session_token: str = ""


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def sigv4_headers(
    *,
    credentials: AwsCredentials,
    service: str,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime | None = None,
) -> dict[str, str]:
    """``headers`` plus ``Host``, ``X-Amz-Date`` and the Signature Version 4 ``Authorization``.

    The canonical request is method, URI path, sorted query, the signed headers (lower-case
    names, trimmed values, sorted) and the SHA-256 of the body; the string to sign is
    ``AWS4-HMAC-SHA256``, the time, the scope ``<date>/<region>/<service>/aws4_request`` and the
    canonical request's SHA-256; the key is HMAC-chained from ``"AWS4" + secret`` through date,
    region, service and ``aws4_request``. Every header given is signed.
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    amz_date, day = moment.strftime("%Y%m%dT%H%M%SZ"), moment.strftime("%Y%m%d")
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port and parts.port != {"https": 443, "http": 80}.get(parts.scheme):
        host = f"{host}:{parts.port}"
    signed = {**headers, "Host": host, "X-Amz-Date": amz_date}
    if credentials.session_token:
        signed["X-Amz-Security-Token"] = credentials.session_token
    canonical_headers = sorted((k.lower(), " ".join(str(v).split())) for k, v in signed.items())
    names = ";".join(name for name, _ in canonical_headers)
    query = "&".join(sorted(q for q in parts.query.split("&") if q))
    canonical = "\n".join(
        [
            method.upper(),
            parts.path or "/",
            query,
            "".join(f"{name}:{value}\n" for name, value in canonical_headers),
            names,
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{day}/{credentials.region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(("AWS4" + credentials.secret_access_key).encode(), day)
    for part in (credentials.region, service, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    signed["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={credentials.access_key_id}/{scope}, "
        f"SignedHeaders={names}, Signature={signature}"
    )
    return signed


@dataclass(frozen=True)
class SqsMessage:
    """One received message: ``receipt_handle`` deletes this delivery of it."""

    message_id: str
    receipt_handle: str
    body: str
    md5_of_body: str

    @property
    def body_intact(self) -> bool:
        """True when ``MD5OfBody`` matches the body received (absent: nothing to check)."""
        if not self.md5_of_body:
            return True
        digest = hashlib.md5(self.body.encode(), usedforsecurity=False).hexdigest()
        return hmac.compare_digest(digest, self.md5_of_body)


class SqsClient:
    """ReceiveMessage and DeleteMessageBatch on one queue, signed, confined to its host."""

    def __init__(
        self,
        *,
        queue_url: str,
        credentials: AwsCredentials,
        allow_private: bool = False,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        visibility_timeout: int = 30,
    ):
        parts = urlsplit(queue_url)
        host = (parts.hostname or "").lower()
        if not allow_private and not SQS_HOST.match(host):
            raise ConnectorError(f"sqs_queue_url must be an Amazon SQS queue URL, not one on {host!r}")
        if not credentials.access_key_id or not credentials.secret_access_key or not credentials.region:
            raise ConnectorError("SQS needs aws_access_key_id, aws_secret_access_key and aws_region")
        self.queue_url = queue_url
        self.credentials = credentials
        self.visibility_timeout = visibility_timeout
        self.endpoint = f"{parts.scheme}://{parts.netloc}/"
        self.read_timeout = read_timeout
        try:
            self.http = ConfinedHttp(
                base_url=self.endpoint,
                allow_private=allow_private,
                connect_timeout=connect_timeout,
                read_timeout=read_timeout + MAX_WAIT_SECONDS,  # a long poll answers after its wait
                secrets=[credentials.secret_access_key, credentials.session_token],
            )
        except HostRefused as exc:
            raise ConnectorError(f"sqs_queue_url: {exc}") from None

    def call(self, action: str, body: Mapping[str, Any]) -> dict:
        """POST one action; return its JSON answer. Raises SqsError / RetryableError."""
        raw = json.dumps(body, separators=(",", ":")).encode()
        headers = sigv4_headers(
            credentials=self.credentials,
            service="sqs",
            method="POST",
            url=self.endpoint,
            headers={"Content-Type": JSON_10, "X-Amz-Target": f"AmazonSQS.{action}"},
            body=raw,
        )
        try:
            response = self.http.send("POST", self.endpoint, data=raw, headers=headers)
        except HostRefused as exc:
            raise ConnectorError(f"SQS {action}: {exc}") from None
        except requests.Timeout:
            raise RetryableError(f"SQS {action}: timed out") from None
        except requests.ConnectionError:
            raise RetryableError(f"SQS {action}: connection failed") from None
        if response.status_code < 300:
            try:
                answer = response.json() if response.content else {}
            except ValueError:
                raise ConnectorError(f"SQS {action}: the answer is not JSON") from None
            return answer if isinstance(answer, dict) else {}
        raise self._error(action, response)

    def _error(self, action: str, response: requests.Response) -> ConnectorError:
        status = response.status_code
        text = self.http.scrub(response.text)[:BODY_KEEP]
        try:
            data = response.json()
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        error_type = str(data.get("__type") or "")
        message = str(data.get("message") or data.get("Message") or "")
        short = error_type.rsplit("#", 1)[-1] or f"HTTP {status}"
        text_out = f"SQS {action}: HTTP {status} {short}: {self.http.scrub(message)}".strip()
        details = {"status": status, "headers": safe_headers(response.headers), "body": text}
        if status == 429 or status >= 500 or short in RETRYABLE_TYPES:
            return RetryableError(
                text_out, retry_after=retry_after_parse(response.headers.get("Retry-After")), **details
            )
        return SqsError(text_out, error_type=error_type, **details)

    def receive(self, *, wait_seconds: float, max_messages: int = MAX_MESSAGES) -> list[SqsMessage]:
        """ReceiveMessage, long-polling up to ``wait_seconds`` (whole seconds, at most 20)."""
        wait = int(min(max(wait_seconds, 0), MAX_WAIT_SECONDS))
        answer = self.call(
            "ReceiveMessage",
            {
                "QueueUrl": self.queue_url,
                "MaxNumberOfMessages": min(max(max_messages, 1), MAX_MESSAGES),
                "WaitTimeSeconds": wait,
                "VisibilityTimeout": self.visibility_timeout,
            },
        )
        messages = answer.get("Messages") or []
        if not isinstance(messages, list):
            raise ConnectorError("SQS ReceiveMessage: Messages is not a list")
        return [
            SqsMessage(
                message_id=str(m.get("MessageId") or ""),
                receipt_handle=str(m.get("ReceiptHandle") or ""),
                body=str(m.get("Body") or ""),
                md5_of_body=str(m.get("MD5OfBody") or ""),
            )
            for m in messages
            if isinstance(m, Mapping) and m.get("ReceiptHandle")
        ]

    def delete(self, *, receipt_handles: Sequence[str]) -> int:
        """DeleteMessageBatch, ten at a time; returns how many were deleted (failures logged)."""
        deleted = 0
        handles = list(receipt_handles)
        for start in range(0, len(handles), MAX_MESSAGES):
            chunk = handles[start : start + MAX_MESSAGES]
            answer = self.call(
                "DeleteMessageBatch",
                {
                    "QueueUrl": self.queue_url,
                    "Entries": [{"Id": str(n), "ReceiptHandle": h} for n, h in enumerate(chunk)],
                },
            )
            deleted += len(answer.get("Successful") or [])
            for failed in answer.get("Failed") or []:
                logger.warning(
                    "SQS DeleteMessageBatch entry %s failed: %s %s (redelivered, stored once)",
                    failed.get("Id"),
                    failed.get("Code"),
                    failed.get("Message"),
                )
        return deleted


def message_event(
    message: SqsMessage,
    *,
    seller_id: str,
    order_fetch: Callable[[str], OrderDTO | None],
) -> PulledEvent:
    """One SQS message as the engine's :class:`PulledEvent`.

    An ORDER_CHANGE of this seller's seller-fulfilled (MFN) order carries the order snapshot:
    from the notification's Summary when it lists the items, else read with ``order_fetch``
    (getOrder + getOrderItems). Its event id is ``sqs:<NotificationId>``, the same for every
    redelivery. Other notification types, FBA orders and other sellers' notifications come
    with no order (the engine records and ignores them); a body that is not a notification comes
    with ``error`` set and the event id ``sqs-message:<MessageId>``.
    """
    ack = message.receipt_handle
    fallback_id = f"sqs-message:{message.message_id or hashlib.sha256(message.body.encode()).hexdigest()}"
    if not message.body_intact:
        return PulledEvent(
            event_id=fallback_id, topic="malformed", payload={"body": message.body[:2000]}, ack=ack,
            error="MD5OfBody does not match the message body",
        )  # fmt: skip
    try:
        notification = json_loads_bounded(message.body)
    except ValueError as exc:
        return PulledEvent(
            event_id=fallback_id, topic="malformed", payload={"body": message.body[:2000]}, ack=ack,
            error=f"the message body is not JSON: {exc}",
        )  # fmt: skip
    metadata = notification.get("NotificationMetadata") if isinstance(notification, dict) else None
    notification_id = metadata.get("NotificationId") if isinstance(metadata, Mapping) else None
    if not isinstance(notification, dict) or not notification_id:
        return PulledEvent(
            event_id=fallback_id, topic="malformed", payload={"body": message.body[:2000]}, ack=ack,
            error="not an SP-API notification (no NotificationMetadata.NotificationId)",
        )  # fmt: skip
    event_id = f"sqs:{notification_id}"
    topic = str(notification.get("NotificationType") or "unknown")
    if topic != "ORDER_CHANGE":
        return PulledEvent(event_id=event_id, topic=topic, payload=notification, ack=ack)
    try:
        change, summary = order_change_parts(notification)
        if str(change.get("SellerId") or "") != seller_id:
            return PulledEvent(
                event_id=event_id, topic=topic, payload=notification, ack=ack,
                error=f"ORDER_CHANGE of seller {change.get('SellerId')!r}, not this account's",
            )  # fmt: skip
        if summary.get("FulfillmentType") == "AFN":  # Amazon ships FBA orders from its stock
            return PulledEvent(event_id=event_id, topic=topic, payload=notification, ack=ack)
        order = order_from_order_change(notification)
    except AmazonPayloadError as exc:
        return PulledEvent(event_id=event_id, topic=topic, payload=notification, ack=ack, error=str(exc))
    if order is None:
        order = order_fetch(str(change["AmazonOrderId"]))
    return PulledEvent(event_id=event_id, topic=topic, payload=notification, ack=ack, order=order)
