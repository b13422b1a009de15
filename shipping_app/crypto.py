"""Credentials at rest for shipping accounts.

A thin wrapper over the project's Fernet helper (``channels_app.crypto``: keys from
``settings.FIELD_ENCRYPTION_KEYS``, rotation, key derived from SECRET_KEY when unset). The helper
is generic; once it moves to a shared module this wrapper is the only import to change.
"""

from __future__ import annotations

from channels_app.crypto import CredentialsError, credentials_decrypt, credentials_encrypt

__all__ = ["CredentialsError", "credentials_decrypt", "credentials_encrypt"]
