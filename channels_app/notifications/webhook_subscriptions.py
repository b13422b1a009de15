"""Registering a channel's webhooks with the channel, for the account's own delivery URL."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils import timezone

from channels_app.connectors.base import RegistersWebhooks
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.registry import connector_class_get
from channels_app.models import ChannelAccount
from channels_app.services.accounts import AccountError, account_connector

logger = logging.getLogger(__name__)


def account_webhook_url(*, account: ChannelAccount, base_url: str) -> str:
    """The account's delivery URL (the webhook route with its token) under the site's ``base_url``."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AccountError(f"Not a site URL: {base_url!r}")
    root = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    return root + reverse("channels_webhooks:receive", args=[account.webhook_token])


def account_webhooks_supported(*, account: ChannelAccount) -> bool:
    """True when the account's connector can register webhooks through the channel's API."""
    return issubclass(connector_class_get(kind=account.kind), RegistersWebhooks)


def account_webhooks_register(*, account_id: int, base_url: str) -> str:
    """Subscribe the channel's webhooks to the account's URL under ``base_url``; return that URL.

    Calls the connector's ``webhooks_register`` hook (safe to repeat: subscriptions already
    pointing at the URL are kept) and records the URL and time on the account. Raises
    AccountError for a channel without a webhook API, a bad ``base_url``, or a channel that
    refused; a refusal is also recorded on the account (``webhooks_error``) for staff.
    """
    account = ChannelAccount.objects.get(pk=account_id)
    if not account_webhooks_supported(account=account):
        raise AccountError(f"{account.kind} channels have no webhook API to register with")
    url = account_webhook_url(account=account, base_url=base_url)
    try:
        account_connector(account=account).webhooks_register(url=url)
    except ConnectorError as exc:
        ChannelAccount.objects.filter(pk=account.pk).update(webhooks_error=str(exc)[:2000])
        raise AccountError(f"The channel refused the webhook registration: {exc}") from None
    ChannelAccount.objects.filter(pk=account.pk).update(
        webhooks_url=url, webhooks_registered_at=timezone.now(), webhooks_error=""
    )
    return url
