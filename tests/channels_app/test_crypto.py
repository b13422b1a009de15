"""Credentials are encrypted at rest and decryptable across key rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from channels_app.crypto import CredentialsError, credentials_decrypt, credentials_encrypt
from channels_app.models import ChannelAccount
from channels_app.services.accounts import account_config, account_create


@pytest.mark.django_db
def test_credentials_are_stored_encrypted_and_read_back():
    account = account_create(
        kind="generic",
        name="Shop",
        base_url="https://shop.example.com/api/",
        credentials={"api_key": "VERY-SECRET-KEY", "webhook_secret": "whsec"},
    )

    raw = ChannelAccount.objects.filter(pk=account.pk).values_list("credentials_encrypted", flat=True).get()
    assert "VERY-SECRET-KEY" not in raw and "whsec" not in raw
    assert account_config(account=account).credentials == {
        "api_key": "VERY-SECRET-KEY",
        "webhook_secret": "whsec",
    }
    assert account.sales_channel.kind == "generic"


def test_keys_rotate_and_a_wrong_key_is_a_clear_error(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    token = credentials_encrypt(credentials={"api_key": "k"})
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert credentials_decrypt(token=token) == {"api_key": "k"}
    settings.FIELD_ENCRYPTION_KEYS = [new]
    with pytest.raises(CredentialsError):
        credentials_decrypt(token=token)
