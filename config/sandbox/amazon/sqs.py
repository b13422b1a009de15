"""A fake Amazon SQS queue on 127.0.0.1: the destination of the fake SP-API's ORDER_CHANGE notifications.

It speaks the SQS API in the AWS JSON 1.0 protocol as AWS documents it: ``POST /`` with
``Content-Type: application/x-amz-json-1.0`` and ``X-Amz-Target: AmazonSQS.<Action>``, JSON
bodies, errors as HTTP 400/403 with ``{"__type": "...", "message": "..."}`` and the
``x-amzn-query-error`` header. Every request must carry a valid AWS Signature Version 4
``Authorization`` (service ``sqs``) made with the configured access key; it is checked here by an
implementation of its own (403 ``InvalidSignatureException`` otherwise).

Actions: ``ReceiveMessage`` (MaxNumberOfMessages 1-10, long polling by WaitTimeSeconds 0-20 in
real time, VisibilityTimeout: a received message is hidden that long on the fake's clock, then
delivered again with a new receipt handle unless deleted), ``DeleteMessage``,
``DeleteMessageBatch`` (1-10 entries; a receipt handle that is not the latest of its message
succeeds without deleting, as AWS warns) and ``SendMessage`` (for completeness).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ACCOUNT = "123456789012"
AUTH = re.compile(r"^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                  r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$")  # fmt: skip
CORAL = "com.amazon.coral.service#"
SQS = "com.amazonaws.sqs#"
BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret Access Key and signing method. Consult the service documentation for details."
)


@dataclass
class Message:
    """One queued message; ``receipt`` is the handle of its latest delivery."""

    message_id: str
    body: str
    visible_at: datetime
    receipt: str = ""
    receives: int = 0
    deleted: bool = False


@dataclass
class SqsStats:
    """Counters by action and outcome, for tests and the rush."""

    requests: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    deliveries: int = 0
    deleted: int = 0


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeSQS/1.0"
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        fake: FakeSqs = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, body, query_error = fake.handle(self.path, {k: v for k, v in self.headers.items()}, raw)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if query_error:
            self.send_header("x-amzn-query-error", query_error)
        self.send_header("Content-Length", str(len(data)))
        try:
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the reader went away mid long poll
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        return None


def _sign(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


class FakeSqs:
    """One SQS queue. ``now`` is the clock visibility timeouts run on (the fake SP-API's)."""

    def __init__(
        self,
        *,
        access_key_id: str = "AKIAFAKESQS0000001",
        secret_access_key: str | None = None,
        region: str = "us-east-1",
        queue_name: str = "stockmaster-order-change",
        now: Callable[[], datetime] | None = None,
        port: int = 0,
    ) -> None:
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key or secrets.token_urlsafe(30)
        self.region = region
        self.queue_name = queue_name
        self.now = now or (lambda: datetime.now(UTC))
        self.messages: list[Message] = []
        self.stats = SqsStats()
        self.cond = threading.Condition()
        # action -> how many of its next requests answer 500 InternalError (see ``fail``).
        self.faults: dict[str, int] = {}
        self._port = port
        self._server: ThreadingHTTPServer | None = None

    # ----------------------------------------------------------------- server
    def start(self) -> FakeSqs:
        """Serve on 127.0.0.1 in a daemon thread."""
        server = ThreadingHTTPServer(("127.0.0.1", self._port), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        threading.Thread(target=server.serve_forever, name="fake-sqs", daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving (waiting long polls answer at their deadline)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:<port>`` (stands for https://sqs.<region>.amazonaws.com)."""
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def queue_url(self) -> str:
        """The queue URL as AWS writes it: endpoint / account id / queue name."""
        return f"{self.endpoint}/{ACCOUNT}/{self.queue_name}"

    def credentials(self) -> dict[str, str]:
        """The account credentials and option a connector needs to read this queue."""
        return {
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            "aws_region": self.region,
            "sqs_queue_url": self.queue_url,
        }

    # ----------------------------------------------------------------- queue
    def send(self, body: str) -> str:
        """Enqueue a message (what SP-API's delivery does); returns its MessageId."""
        with self.cond:
            message = Message(message_id=str(uuid.uuid4()), body=body, visible_at=self.now())
            self.messages.append(message)
            self.stats.sent += 1
            self.cond.notify_all()
        return message.message_id

    def fail(self, action: str, *, times: int = 1) -> None:
        """Answer the next ``times`` requests of ``action`` with HTTP 500 InternalError (after
        the signature check): a DeleteMessageBatch that fails leaves the messages in flight, as
        a consumer dying before its delete would."""
        with self.cond:
            self.faults[action] = self.faults.get(action, 0) + times

    def waiting(self) -> list[Message]:
        """Messages not deleted (visible or in flight)."""
        with self.cond:
            return [m for m in self.messages if not m.deleted]

    def bodies(self) -> list[dict]:
        """The JSON bodies of the messages not deleted, oldest first."""
        return [json.loads(m.body) for m in self.waiting()]

    def _visible(self) -> list[Message]:
        now = self.now()
        return [m for m in self.messages if not m.deleted and m.visible_at <= now]

    # ----------------------------------------------------------------- protocol
    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict, str]:
        """Answer one request: (status, JSON body, x-amzn-query-error or "")."""
        lower = {k.lower(): v for k, v in headers.items()}
        action = lower.get("x-amz-target", "").removeprefix("AmazonSQS.")
        self.stats.requests[action] = self.stats.requests.get(action, 0) + 1
        failure = self._auth_error(path, lower, raw)
        if failure is None and lower.get("content-type") != "application/x-amz-json-1.0":
            failure = (400, SQS + "InvalidParameterValue", "Content-Type must be JSON 1.0")
        body: Any = None
        if failure is None:
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                failure = (400, SQS + "InvalidParameterValue", "The body is not JSON.")
        if failure is None and (not isinstance(body, dict) or body.get("QueueUrl") != self.queue_url):
            failure = (400, SQS + "QueueDoesNotExist", "The specified queue does not exist.")
        if failure is None and self.faults.get(action, 0) > 0:
            with self.cond:
                self.faults[action] -= 1
            failure = (500, SQS + "InternalError", "We encountered an internal error. Please try again.")
        if failure is None:
            handler = {
                "ReceiveMessage": self._receive,
                "DeleteMessage": self._delete_one,
                "DeleteMessageBatch": self._delete_batch,
                "SendMessage": self._send,
            }.get(action)
            if handler is None:
                failure = (400, CORAL + "UnknownOperationException", f"{action}?")
            else:
                answer = handler(body)
                if isinstance(answer, tuple):
                    failure = answer
                else:
                    return 200, answer, ""
        status, error_type, message = failure
        self.stats.errors[error_type] = self.stats.errors.get(error_type, 0) + 1
        short = error_type.rsplit("#", 1)[-1]
        return status, {"__type": error_type, "message": message}, f"{short};Sender"

    def _auth_error(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, str, str] | None:
        found = AUTH.match(headers.get("authorization", ""))
        if found is None:
            return 403, CORAL + "MissingAuthenticationTokenException", "Missing Authentication Token"
        key_id, day, region, service, names, signature = found.groups()
        if key_id != self.access_key_id:
            return (
                403,
                CORAL + "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            )
        amz_date = headers.get("x-amz-date", "")
        try:
            moment = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return 403, CORAL + "IncompleteSignatureException", "X-Amz-Date is missing or malformed."
        if abs(moment - datetime.now(UTC)) > timedelta(minutes=15) or day != amz_date[:8]:
            return 403, CORAL + "InvalidSignatureException", "Signature expired."
        if region != self.region or service != "sqs":
            scoped = f"Credential should be scoped to a valid region and to sqs, not {region}/{service}."
            return 403, CORAL + "InvalidSignatureException", scoped
        signed = names.split(";")
        if "host" not in signed or "x-amz-date" not in signed or any(n not in headers for n in signed):
            return 403, CORAL + "InvalidSignatureException", BAD_SIGNATURE
        canonical = "\n".join([
            "POST", path.split("?", 1)[0] or "/", path.split("?", 1)[1] if "?" in path else "",
            "".join(f"{n}:{' '.join(headers[n].split())}\n" for n in signed), names,
            hashlib.sha256(raw).hexdigest(),
        ])  # fmt: skip
        scope = f"{day}/{region}/sqs/aws4_request"
        text = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        key = ("AWS4" + self.secret_access_key).encode()
        for part in (day, region, "sqs", "aws4_request"):
            key = _sign(key, part)
        expected = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return 403, CORAL + "InvalidSignatureException", BAD_SIGNATURE
        return None

    def _receive(self, body: dict) -> dict | tuple[int, str, str]:
        count, wait = body.get("MaxNumberOfMessages", 1), body.get("WaitTimeSeconds", 0)
        visibility = body.get("VisibilityTimeout", 30)
        if not isinstance(count, int) or not 1 <= count <= 10:
            return 400, SQS + "InvalidParameterValue", "MaxNumberOfMessages must be between 1 and 10."
        if not isinstance(wait, int) or not 0 <= wait <= 20:
            return 400, SQS + "InvalidParameterValue", "WaitTimeSeconds must be between 0 and 20."
        if not isinstance(visibility, int) or not 0 <= visibility <= 43200:
            return 400, SQS + "InvalidParameterValue", "VisibilityTimeout must be between 0 and 43200."
        deadline = time.monotonic() + wait
        with self.cond:
            while not self._visible() and time.monotonic() < deadline:
                self.cond.wait(timeout=min(deadline - time.monotonic(), 0.05))
            taken = self._visible()[:count]
            hidden_until = self.now() + timedelta(seconds=visibility)
            out = []
            for message in taken:
                message.receipt = secrets.token_urlsafe(48)
                message.receives += 1
                message.visible_at = hidden_until
                self.stats.deliveries += 1
                out.append({
                    "MessageId": message.message_id, "ReceiptHandle": message.receipt, "Body": message.body,
                    "MD5OfBody": hashlib.md5(message.body.encode(), usedforsecurity=False).hexdigest(),
                })  # fmt: skip
        return {"Messages": out} if out else {}

    def _delete(self, handle: Any) -> str:
        """ "ok", "stale" (an older delivery's handle: nothing deleted) or "invalid"."""
        for message in self.messages:
            if message.receipt and message.receipt == handle:
                if not message.deleted:
                    message.deleted = True
                    self.stats.deleted += 1
                return "ok"
        return "invalid" if not isinstance(handle, str) or len(handle) < 20 else "stale"

    def _delete_one(self, body: dict) -> dict | tuple[int, str, str]:
        with self.cond:
            if self._delete(body.get("ReceiptHandle")) == "invalid":
                return 400, SQS + "ReceiptHandleIsInvalid", "The receipt handle is not valid."
        return {}

    def _delete_batch(self, body: dict) -> dict | tuple[int, str, str]:
        entries = body.get("Entries")
        if not isinstance(entries, list) or not entries:
            return 400, SQS + "EmptyBatchRequest", "There should be at least one entry."
        if len(entries) > 10:
            return 400, SQS + "TooManyEntriesInBatchRequest", "At most 10 entries."
        ids = [e.get("Id") if isinstance(e, dict) else None for e in entries]
        if len(set(ids)) != len(ids) or not all(isinstance(i, str) and i for i in ids):
            return 400, SQS + "BatchEntryIdsNotDistinct", "Entry ids must be distinct."
        successful, failed = [], []
        with self.cond:
            for entry in entries:
                if self._delete(entry.get("ReceiptHandle")) == "invalid":
                    failed.append({"Id": entry["Id"], "SenderFault": True, "Code": "ReceiptHandleIsInvalid",
                                   "Message": "The receipt handle is not valid."})  # fmt: skip
                else:
                    successful.append({"Id": entry["Id"]})
        return {"Successful": successful, "Failed": failed}

    def _send(self, body: dict) -> dict | tuple[int, str, str]:
        text = body.get("MessageBody")
        if not isinstance(text, str) or not text:
            return 400, SQS + "MissingParameter", "MessageBody is required."
        message_id = self.send(text)
        digest = hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
        return {"MessageId": message_id, "MD5OfMessageBody": digest}
