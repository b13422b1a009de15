"""Connecting an account through its channel's OAuth install flow (Shopify's authorization code
grant): the URL staff are sent to, and the callback that stores the account's first token."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from channels_app.connectors.base import ConnectsByRedirect
from channels_app.connectors.errors import ConnectorError
from channels_app.models import ChannelAccount
from channels_app.services.accounts import AccountError, account_connector
from channels_app.services.tokens import account_token_grant_store


def connect_state_new() -> str:
    """A single-use nonce for the ``state`` of one connect flow."""
    return secrets.token_urlsafe(24)


def account_connect_url(*, account: ChannelAccount, redirect_uri: str, state: str) -> str:
    """The channel's page where the merchant approves access; AccountError when the account's
    mode has no connect flow."""
    connector = account_connector(account=account)
    url = (
        connector.connect_url(redirect_uri=redirect_uri, state=state)
        if isinstance(connector, ConnectsByRedirect)
        else None
    )
    if url is None:
        raise AccountError(f"{account.name}: this account does not connect through an install flow")
    return url


def account_connect_finish(*, account: ChannelAccount, params: Mapping[str, str], state: str) -> None:
    """Verify the channel's redirect back (``state`` is the one this flow started with) and store
    the token it grants; clears a "reconnect" state. AccountError saying what failed; nothing is
    stored then."""
    connector = account_connector(account=account)
    if not isinstance(connector, ConnectsByRedirect):
        raise AccountError(f"{account.name}: this account does not connect through an install flow")
    try:
        token = connector.connect_finish(params=params, state=state)
    except ConnectorError as exc:
        raise AccountError(f"{account.name}: not connected: {exc}") from None
    account_token_grant_store(account=account, token=token)
    ChannelAccount.objects.filter(pk=account.pk).update(last_error="")
