"""Webhook tokens stay out of the logs: gunicorn's access log and Django's own log lines.

A webhook URL (``/webhooks/channels/<token>/``, ``/webhooks/shipping/<token>/``) authenticates
the sender by its secret path segment; in a log line it reads ``/webhooks/channels/********/``.
Secrets some vendors take as query parameters (Volusion's ``EncryptedPassword=``) are masked
the same way wherever a URL reaches a log line (``EncryptedPassword=********``).
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

MASK = "********"
_WEBHOOK_TOKEN = re.compile(r"(/webhooks/(?:channels|shipping)/)[^/?#\s\"']+")
_QUERY_SECRET = re.compile(r"((?:[?&]|%3F|%26|\b)EncryptedPassword(?:=|%3D))[^&\s\"'#]+", re.IGNORECASE)
_SECRET_HEADERS = re.compile(
    r"^\{(authorization|cookie|proxy-authorization|x-[\w-]*(token|signature|hmac)[\w-]*)\}i$"
)


def mask_webhook_tokens(text: str) -> str:
    """``text`` with the token segment of every webhook path, and every query-string secret
    (``EncryptedPassword=``), replaced by ``********``."""
    return _QUERY_SECRET.sub(rf"\g<1>{MASK}", _WEBHOOK_TOKEN.sub(rf"\g<1>{MASK}", text))


class MaskingGunicornLogger(Logger):
    """gunicorn's logger (``--logger-class config.logmasking.MaskingGunicornLogger``): the access
    log shows webhook paths masked, and never authorization, cookie or signature headers."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():
            if _SECRET_HEADERS.match(name):
                atoms[name] = MASK
            elif isinstance(value, str):
                atoms[name] = mask_webhook_tokens(value)
        return atoms


class WebhookTokenLogFilter(logging.Filter):
    """Masks webhook tokens in a record's message (Django logs "Not Found: <path>" and the like)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_webhook_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
