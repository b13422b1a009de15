"""Shipping account credentials at rest: the one import of :mod:`config.integrations.crypto` in
shipping_app.

Shipping accounts have always been encrypted with the channel accounts' context
(``channels_app.credentials``); it is kept so that stored credentials still decrypt.
"""

from __future__ import annotations

from collections.abc import Mapping

from config.integrations.crypto import CHANNELS_CONTEXT, SecretsCipher, SecretsError, SecretValues

CONTEXT = CHANNELS_CONTEXT
CredentialsError = SecretsError
CIPHER = SecretsCipher(context=CONTEXT)

__all__ = ["CONTEXT", "CredentialsError", "credentials_decrypt", "credentials_encrypt"]


def credentials_encrypt(*, credentials: Mapping[str, str]) -> str:
    """Encrypt a shipping account's credential dict (empty dict -> empty string)."""
    return CIPHER.encrypt(values=credentials)


def credentials_decrypt(*, token: str) -> SecretValues:
    """Decrypt what :func:`credentials_encrypt` produced; raises CredentialsError on a bad key."""
    return CIPHER.decrypt(token=token)
