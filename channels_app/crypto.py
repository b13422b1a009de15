"""Channel account credentials at rest: the one import of :mod:`config.integrations.crypto` in
channels_app, with the context channel accounts have always used (``channels_app.credentials``),
so stored credentials still decrypt."""

from __future__ import annotations

from collections.abc import Mapping

from config.integrations.crypto import (
    CHANNELS_CONTEXT,
    SecretsCipher,
    SecretsError,
    SecretValues,
    secrets_decrypt,
    secrets_encrypt,
)

__all__ = [
    "CHANNELS_CONTEXT",
    "CredentialsError",
    "SecretValues",
    "SecretsError",
    "credentials_decrypt",
    "credentials_encrypt",
    "secrets_decrypt",
    "secrets_encrypt",
]

# The name channel code has always caught.
CredentialsError = SecretsError
CIPHER = SecretsCipher(context=CHANNELS_CONTEXT)


def credentials_encrypt(*, credentials: Mapping[str, str]) -> str:
    """Encrypt a channel account's credential dict (empty dict -> empty string)."""
    return CIPHER.encrypt(values=credentials)


def credentials_decrypt(*, token: str) -> SecretValues:
    """Decrypt what :func:`credentials_encrypt` produced; raises SecretsError on a bad key."""
    return CIPHER.decrypt(token=token)
