"""Accounting secrets go through the shared helper and still decrypt what was stored before."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography.fernet import Fernet

from accounting_app.crypto import SecretsError, secrets_decrypt, secrets_encrypt
from channels_app import crypto


def _old_token(secret_key: str, values: dict) -> str:
    """A value encrypted the way accounting_app.crypto did before it used the shared helper."""
    digest = hashlib.sha256(b"accounting_app.secrets:" + secret_key.encode()).digest()
    return (
        Fernet(base64.urlsafe_b64encode(digest)).encrypt(json.dumps(values, sort_keys=True).encode()).decode()
    )


def test_secrets_encrypted_the_old_way_still_decrypt(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    token = _old_token(settings.SECRET_KEY, {"refresh_token": "rt", "client_secret": "cs"})

    assert secrets_decrypt(token=token) == {"client_secret": "cs", "refresh_token": "rt"}


def test_new_values_round_trip_and_stay_apart_from_channel_credentials(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    token = secrets_encrypt(values={"refresh_token": "rt"})

    assert secrets_decrypt(token=token) == {"refresh_token": "rt"}
    assert "rt" not in token
    with pytest.raises(SecretsError):
        crypto.credentials_decrypt(token=token)
    assert SecretsError is crypto.SecretsError
