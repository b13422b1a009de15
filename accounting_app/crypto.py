"""Tokens and client secrets at rest: the one import of :mod:`config.integrations.crypto` in
accounting_app.

Accounting connections keep their own context (``accounting_app.secrets``), the one they have
always used, so that stored tokens and secrets still decrypt.
"""

from __future__ import annotations

from collections.abc import Mapping

from config.integrations.crypto import ACCOUNTING_CONTEXT, SecretsCipher, SecretsError, SecretValues

CONTEXT = ACCOUNTING_CONTEXT
CIPHER = SecretsCipher(context=CONTEXT)

__all__ = ["CONTEXT", "SecretsError", "secrets_decrypt", "secrets_encrypt"]


def secrets_encrypt(*, values: Mapping[str, str]) -> str:
    """Encrypt a dict of strings to a text token (empty dict -> empty string)."""
    return CIPHER.encrypt(values=values)


def secrets_decrypt(*, token: str) -> SecretValues:
    """Decrypt what :func:`secrets_encrypt` produced; raises SecretsError on a bad key."""
    return CIPHER.decrypt(token=token)
