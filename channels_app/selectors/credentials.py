"""Channel accounts' expiring grants, for the core's credentials hook (alerts and events)."""

from __future__ import annotations

from datetime import UTC, datetime

from inventory_app.hooks import CredentialsExpiry


def channel_credentials_expiry() -> list[CredentialsExpiry]:
    """Enabled accounts whose grant needs reconnecting, or whose refresh token expires."""
    from channels_app.models import ChannelToken

    found = []
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
