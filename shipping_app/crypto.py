"""Credentials at rest for shipping accounts: a thin user of :mod:`channels_app.crypto`.

Shipping accounts have always been encrypted with the channel accounts' context
(``channels_app.credentials``); it is kept so that stored credentials still decrypt.
"""

from __future__ import annotations

from collections.abc import Mapping

from channels_app.crypto import CHANNELS_CONTEXT, SecretsError, secrets_decrypt, secrets_encrypt

CONTEXT = CHANNELS_CONTEXT
CredentialsError = SecretsError

__all__ = ["CONTEXT", "CredentialsError", "credentials_decrypt", "credentials_encrypt"]


def credentials_encrypt(*, credentials: Mapping[str, str]) -> str:
    """Encrypt a shipping account's credential dict (empty dict -> empty string)."""
    return secrets_encrypt(values=credentials, context=CONTEXT)


def credentials_decrypt(*, token: str) -> dict[str, str]:
    """Decrypt what :func:`credentials_encrypt` produced; raises CredentialsError on a bad key."""
    return secrets_decrypt(token=token, context=CONTEXT)
