"""Shipping accounts: create, change credentials, and build the account's provider."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from shipping_app.crypto import credentials_decrypt, credentials_encrypt
from shipping_app.errors import ShippingError
from shipping_app.models import ShippingAccount
from shipping_app.providers.base import ShippingProvider, WebhookReceiver
from shipping_app.providers.dto import ProviderConfig
from shipping_app.providers.registry import UnknownKind, provider_build, provider_class_get


def shipping_account_create(
    *,
    provider: str,
    name: str,
    base_url: str,
    credentials: Mapping[str, str],
    options: Mapping[str, object] | None = None,
    export_orders: bool = True,
) -> ShippingAccount:
    """Create an account; credentials are encrypted before they are stored.

    Raises ShippingError for an unknown provider or a missing credential.
    """
    try:
        cls = provider_class_get(kind=provider)
    except UnknownKind:
        raise ShippingError(f"Unknown shipping provider {provider!r}") from None
    missing = [f for f in cls.credential_fields if not credentials.get(f)]
    if missing:
        raise ShippingError(f"Missing credentials: {', '.join(missing)}")
    return ShippingAccount.objects.create(
        provider=provider,
        name=name,
        base_url=base_url,
        credentials_encrypted=credentials_encrypt(credentials=dict(credentials)),
        options=dict(options or {}),
        export_orders=export_orders,
    )


def shipping_account_credentials_set(*, account: ShippingAccount, credentials: Mapping[str, str]) -> None:
    """Replace the account's credentials; empty values keep the stored ones."""
    with transaction.atomic():
        account = ShippingAccount.objects.select_for_update().get(pk=account.pk)
        current = credentials_decrypt(token=account.credentials_encrypted)
        current.update({k: v for k, v in credentials.items() if v})
        account.credentials_encrypted = credentials_encrypt(credentials=current)
        account.save(update_fields=["credentials_encrypted"])


def shipping_account_provider(*, account: ShippingAccount) -> ShippingProvider:
    """The provider instance of an account, with its decrypted credentials."""
    config = ProviderConfig(
        account_id=account.pk,
        base_url=account.base_url,
        credentials=credentials_decrypt(token=account.credentials_encrypted),
        options=dict(account.options or {}),
    )
    return provider_build(kind=account.provider, config=config)


def shipping_account_webhook_url(*, account: ShippingAccount, site_url: str) -> str:
    """The URL the vendor should POST to: the account's unguessable path, plus ``?secret=`` when
    the account has a webhook secret and its vendor does not sign deliveries with it.
    """
    from django.urls import reverse

    url = site_url.rstrip("/") + reverse("shipping_webhooks:receive", args=[account.webhook_token])
    if not provider_class_get(kind=account.provider).webhook_secret_in_url:
        return url
    secret = credentials_decrypt(token=account.credentials_encrypted).get("webhook_secret")
    return f"{url}?secret={secret}" if secret else url


def shipping_account_webhook_subscribe(*, account: ShippingAccount, site_url: str) -> str:
    """Subscribe the vendor's notifications to this account's webhook URL; return the vendor's id.

    Idempotent: an existing subscription to the same URL is reused. Raises ProviderError (also
    for vendors whose callback URL is set in their own settings, like ShippingEasy).
    """
    provider = shipping_account_provider(account=account)
    if not isinstance(provider, WebhookReceiver):
        raise ShippingError(f"{account.provider} sends no webhooks")
    return provider.webhook_subscribe(url=shipping_account_webhook_url(account=account, site_url=site_url))
