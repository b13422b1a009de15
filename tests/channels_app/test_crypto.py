"""Credentials are encrypted at rest and decryptable across key rotation."""

from __future__ import annotations

import json
import logging
import pprint

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


def _old_channels_token(secret_key: str, values: dict) -> str:
    """A value encrypted the way channels_app.crypto did before it took a context."""
    import base64
    import hashlib
    import json

    digest = hashlib.sha256(b"channels_app.credentials:" + secret_key.encode()).digest()
    return (
        Fernet(base64.urlsafe_b64encode(digest)).encrypt(json.dumps(values, sort_keys=True).encode()).decode()
    )


def test_credentials_encrypted_the_old_way_still_decrypt(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    token = _old_channels_token(settings.SECRET_KEY, {"api_key": "k", "webhook_secret": "s"})

    assert credentials_decrypt(token=token) == {"api_key": "k", "webhook_secret": "s"}


def test_contexts_keep_values_apart_and_every_failure_is_one_error_class(settings):
    from channels_app.crypto import SecretsError, secrets_decrypt, secrets_encrypt

    settings.FIELD_ENCRYPTION_KEYS = []
    token = secrets_encrypt(values={"a": "1"}, context="one")

    assert secrets_decrypt(token=token, context="one") == {"a": "1"}
    with pytest.raises(SecretsError, match="cannot be decrypted"):
        secrets_decrypt(token=token, context="two")
    with pytest.raises(CredentialsError):
        credentials_decrypt(token=token)
    assert CredentialsError is SecretsError
    assert (secrets_encrypt(values={}, context="one"), secrets_decrypt(token="", context="one")) == ("", {})


def test_configured_keys_serve_every_context_and_rotate(settings):
    from channels_app.crypto import secrets_decrypt, secrets_encrypt

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    token = secrets_encrypt(values={"a": "1"}, context="one")
    settings.FIELD_ENCRYPTION_KEYS = [new, old]

    assert secrets_decrypt(token=token, context="two") == {"a": "1"}
    assert Fernet(old.encode()).decrypt(token.encode()) == b'{"a": "1"}'


@pytest.mark.django_db
def test_decrypted_credentials_never_show_in_a_repr_or_a_log(caplog):
    account = account_create(
        kind="generic",
        name="Shop",
        base_url="https://shop.example.com/api/",
        credentials={"api_key": "VERY-SECRET-KEY", "webhook_secret": "whsec-123"},
    )
    config = account_config(account=account)
    logging.getLogger("test").warning("config %s / %r", config, config.credentials)

    shown = [repr(config), str(config), pprint.pformat(config), f"{config.credentials}", caplog.text]

    for text in shown:
        assert "VERY-SECRET-KEY" not in text and "whsec-123" not in text
    assert "'api_key': '********'" in repr(config)
    assert config.credentials["api_key"] == "VERY-SECRET-KEY"  # the value itself is intact
    assert json.loads(json.dumps(config.credentials)) == {
        "api_key": "VERY-SECRET-KEY",
        "webhook_secret": "whsec-123",
    }
