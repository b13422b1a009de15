"""Credentials at rest: Fernet encryption of a connector's credential dict.

Keys come from ``settings.FIELD_ENCRYPTION_KEYS`` (the first encrypts, all decrypt, so keys can
be rotated); without them one key is derived from SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class CredentialsError(Exception):
    """Stored credentials cannot be decrypted with the configured keys."""


def _fernet() -> MultiFernet:
    keys = [k for k in getattr(settings, "FIELD_ENCRYPTION_KEYS", []) if k]
    if not keys:
        digest = hashlib.sha256(b"channels_app.credentials:" + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def credentials_encrypt(*, credentials: dict[str, str]) -> str:
    """Encrypt a credential dict to a text token (empty dict -> empty string)."""
    if not credentials:
        return ""
    return _fernet().encrypt(json.dumps(credentials, sort_keys=True).encode()).decode()


def credentials_decrypt(*, token: str) -> dict[str, str]:
    """Decrypt what :func:`credentials_encrypt` produced; raises CredentialsError on a bad key."""
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise CredentialsError("Credentials cannot be decrypted with the configured keys") from exc
