"""The shared cipher decrypts what each app's own crypto module stored before it existed."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography.fernet import Fernet

from accounting_app import crypto as accounting_crypto
from channels_app import crypto as channels_crypto
from config.integrations.crypto import SecretsCipher, SecretsError, SecretValues
from shipping_app import crypto as shipping_crypto


def _old_token(*, context: str, secret_key: str, values: dict) -> str:
    """Encrypted exactly as channels_app.crypto did before the move (no configured keys)."""
    digest = hashlib.sha256(f"{context}:".encode() + secret_key.encode()).digest()
    plain = json.dumps(values, sort_keys=True).encode()
    return Fernet(base64.urlsafe_b64encode(digest)).encrypt(plain).decode()


def test_values_stored_by_the_old_code_of_each_app_decrypt_with_the_new(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    channel = _old_token(
        context="channels_app.credentials", secret_key=settings.SECRET_KEY, values={"k": "c"}
    )
    accounting = _old_token(
        context="accounting_app.secrets", secret_key=settings.SECRET_KEY, values={"t": "a"}
    )

    assert channels_crypto.credentials_decrypt(token=channel) == {"k": "c"}
    assert shipping_crypto.credentials_decrypt(token=channel) == {"k": "c"}
    assert accounting_crypto.secrets_decrypt(token=accounting) == {"t": "a"}
    with pytest.raises(SecretsError):
        accounting_crypto.secrets_decrypt(token=channel)


def test_values_stored_under_configured_keys_decrypt_after_rotation(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = (
        Fernet(old.encode()).encrypt(b'{"api_key": "k"}').decode()
    )  # the old code with FIELD_ENCRYPTION_KEYS
    settings.FIELD_ENCRYPTION_KEYS = [new, old]

    decrypted = SecretsCipher(context="anything").decrypt(token=stored)

    assert decrypted == {"api_key": "k"} and isinstance(decrypted, SecretValues)
    assert repr(decrypted) == "{'api_key': '********'}"
    assert SecretsCipher(context="x").encrypt(values={}) == ""


def test_every_app_uses_the_one_error_and_masked_mapping():
    assert (
        channels_crypto.CredentialsError is shipping_crypto.CredentialsError is accounting_crypto.SecretsError
    )
    assert channels_crypto.SecretValues is SecretValues
