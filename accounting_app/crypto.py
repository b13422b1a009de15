"""Tokens and client secrets at rest: Fernet encryption of a small dict of strings.

Keys come from ``settings.FIELD_ENCRYPTION_KEYS`` (the first encrypts, all decrypt, so keys can
be rotated); without them one key is derived from SECRET_KEY, as ``channels_app.crypto`` does.
The two helpers do the same thing and should be merged into one shared module.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretsError(Exception):
    """Stored secrets cannot be decrypted with the configured keys."""


def _fernet() -> MultiFernet:
    keys = [k for k in getattr(settings, "FIELD_ENCRYPTION_KEYS", []) if k]
    if not keys:
        digest = hashlib.sha256(b"accounting_app.secrets:" + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def secrets_encrypt(*, values: dict[str, str]) -> str:
    """Encrypt a dict of strings to a text token (empty dict -> empty string)."""
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def secrets_decrypt(*, token: str) -> dict[str, str]:
    """Decrypt what :func:`secrets_encrypt` produced; raises SecretsError on a bad key."""
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise SecretsError("Stored secrets cannot be decrypted with the configured keys") from exc
