"""Channel accounts' expiring grants, for the core's credentials hook (alerts and events)."""

from __future__ import annotations

from datetime import UTC, datetime

from inventory_app.hooks import CredentialsExpiry


def channel_credentials_expiry() -> list[CredentialsExpiry]:
    """Enabled accounts whose grant needs reconnecting, whose refresh token expires, or whose
    authorisation expires though no token says so (the connector's ``grant_expires_at``)."""
    from channels_app.connectors.registry import connector_class_get
    from channels_app.models import ChannelAccount, ChannelToken

    found = []
    for account in ChannelAccount.objects.filter(enabled=True).order_by("pk"):
        connector = connector_class_get(kind=account.kind)
        ends = connector.grant_expires_at(options=account.options or {}) if connector else None
        if ends is not None:
            found.append(
                CredentialsExpiry(
                    key=f"channel-account:{account.pk}:authorization",
                    name=f"Channel account {account.name}",
                    expires_at=ends,
                    text=f"Re-authorise the {connector.label or account.kind} application, then update the"
                    " account's authorized_on.",
                )
            )
    tokens = ChannelToken.objects.filter(account__enabled=True).select_related("account")
    for token in tokens.exclude(reconnect_reason="", refresh_expires_at__isnull=True):
        account = token.account
        expires = (
            None
            if token.reconnect_reason or token.refresh_expires_at is None
            else datetime.fromtimestamp(token.refresh_expires_at, tz=UTC)
        )
        found.append(
            CredentialsExpiry(
                key=f"channel-account:{account.pk}",
                name=f"Channel account {account.name}",
                expires_at=expires,
                text=token.reconnect_reason or "Reconnect the account before then.",
            )
        )
    return found
