"""Shipping credentials go through the shared helper and still decrypt what was stored before."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography.fernet import Fernet

from config.integrations import crypto
from shipping_app.crypto import CredentialsError, credentials_decrypt, credentials_encrypt


def _old_token(secret_key: str, values: dict) -> str:
    """A value encrypted the way shipping accounts were (the channels helper's key) before."""
    digest = hashlib.sha256(b"channels_app.credentials:" + secret_key.encode()).digest()
    return (
        Fernet(base64.urlsafe_b64encode(digest)).encrypt(json.dumps(values, sort_keys=True).encode()).decode()
    )


def test_credentials_encrypted_the_old_way_still_decrypt(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    token = _old_token(settings.SECRET_KEY, {"api_key": "ss-key", "api_secret": "ss-secret"})

    assert credentials_decrypt(token=token) == {"api_key": "ss-key", "api_secret": "ss-secret"}


def test_new_values_round_trip_and_a_wrong_key_is_the_shared_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    token = credentials_encrypt(credentials={"api_key": "k"})
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(CredentialsError):
        credentials_decrypt(token=token)
    assert CredentialsError is crypto.SecretsError
