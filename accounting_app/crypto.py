"""Tokens and client secrets at rest: a thin user of :mod:`channels_app.crypto`.

Accounting connections keep their own context (``accounting_app.secrets``), the one they have
always used, so that stored tokens and secrets still decrypt.
"""

from __future__ import annotations

from collections.abc import Mapping

from channels_app import crypto

CONTEXT = "accounting_app.secrets"
SecretsError = crypto.SecretsError

__all__ = ["CONTEXT", "SecretsError", "secrets_decrypt", "secrets_encrypt"]


def secrets_encrypt(*, values: Mapping[str, str]) -> str:
    """Encrypt a dict of strings to a text token (empty dict -> empty string)."""
    return crypto.secrets_encrypt(values=values, context=CONTEXT)


def secrets_decrypt(*, token: str) -> dict[str, str]:
    """Decrypt what :func:`secrets_encrypt` produced; raises SecretsError on a bad key."""
    return crypto.secrets_decrypt(token=token, context=CONTEXT)
