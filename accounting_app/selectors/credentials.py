"""Accounting connections' expiring grants, for the core's credentials hook (alerts and events)."""

from __future__ import annotations

from inventory_app.hooks import CredentialsExpiry


def accounting_credentials_expiry() -> list[CredentialsExpiry]:
    """Connections that must be connected again, and connected ones whose refresh token expires
    (Xero: 60 days unless used; QuickBooks: as its token answer says)."""
    from accounting_app.models import AccountingConnection, ConnectionStatus

    found = []
    connections = AccountingConnection.objects.filter(
        status__in=(ConnectionStatus.CONNECTED, ConnectionStatus.NEEDS_RECONNECT)
    ).order_by("pk")
    for connection in connections:
        lost = connection.status == ConnectionStatus.NEEDS_RECONNECT
        if not lost and connection.refresh_expires_at is None:
            continue
        found.append(
            CredentialsExpiry(
                key=f"accounting-connection:{connection.pk}",
                name=f"Accounting connection {connection.name}",
                expires_at=None if lost else connection.refresh_expires_at,
                text=(connection.last_error or "Connect it again.")
                if lost
                else "Connect it again before then.",
            )
        )
    return found
