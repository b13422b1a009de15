"""Vendor secrets at rest: Fernet encryption of a small dict of strings.

Keys come from ``settings.FIELD_ENCRYPTION_KEYS`` (the first encrypts, all decrypt, so keys can
be rotated). Without them one key is derived from SECRET_KEY and a ``context`` naming what is
encrypted: SHA-256 of ``"<context>:" + SECRET_KEY``, so values of one context do not decrypt
under another. Each app keeps the context it has always used, so values it stored earlier still
decrypt: ``channels_app.credentials`` (channel accounts, and shipping accounts, which have always
used the channels' context) and ``accounting_app.secrets`` (accounting connections).

A :class:`SecretsCipher` binds one context; every failure to decrypt is one error class,
:class:`SecretsError`, and decrypted values are a :class:`SecretValues` whose repr masks them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

CHANNELS_CONTEXT = "channels_app.credentials"
ACCOUNTING_CONTEXT = "accounting_app.secrets"


class SecretValues(dict):
    """Decrypted secrets: a plain dict of strings whose repr and str show the names only, so a
    config holding it never prints a secret in a log line, a traceback or a debug page."""

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{name!r}: '********'" for name in self) + "}"

    __str__ = __repr__


class SecretsError(Exception):
    """Stored secrets cannot be decrypted with the configured keys."""


def _fernet(*, context: str) -> MultiFernet:
    keys = [k for k in settings.FIELD_ENCRYPTION_KEYS if k]
    if not keys:
        digest = hashlib.sha256(f"{context}:".encode() + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def secrets_encrypt(*, values: Mapping[str, str], context: str) -> str:
    """Encrypt a dict of strings to a text token (empty dict -> empty string)."""
    if not values:
        return ""
    return _fernet(context=context).encrypt(json.dumps(dict(values), sort_keys=True).encode()).decode()


def secrets_decrypt(*, token: str, context: str) -> SecretValues:
    """Decrypt what :func:`secrets_encrypt` produced for ``context`` (values masked in its repr);
    raises SecretsError."""
    if not token:
        return SecretValues()
    try:
        return SecretValues(json.loads(_fernet(context=context).decrypt(token.encode())))
    except InvalidToken as exc:
        raise SecretsError("Stored secrets cannot be decrypted with the configured keys") from exc


@dataclass(frozen=True)
class SecretsCipher:
    """The encrypt/decrypt pair of one ``context`` (one per kind of stored vendor secret)."""

    context: str

    def encrypt(self, *, values: Mapping[str, str]) -> str:
        """Encrypt a dict of strings (empty dict -> empty string)."""
        return secrets_encrypt(values=values, context=self.context)

    def decrypt(self, *, token: str) -> SecretValues:
        """Decrypt what :meth:`encrypt` produced; raises SecretsError on a bad key."""
        return secrets_decrypt(token=token, context=self.context)
