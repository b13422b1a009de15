"""Access tokens for exporters: refreshed before expiry and after a 401, rotation persisted.

Refreshing locks the connection row, so concurrent workers refresh once: the second one finds a
token newer than the one the vendor rejected and uses it. The rotated refresh token is stored in
the same transaction as the access token. A refused refresh token marks the connection
``needs_reconnect`` and raises AuthorizationError.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounting_app.crypto import secrets_decrypt
from accounting_app.exporters.base import AccountingExporter
from accounting_app.exporters.errors import AuthorizationError
from accounting_app.models import AccountingConnection, ConnectionStatus

REFRESH_MARGIN = timedelta(seconds=120)


class ConnectionTokenProvider:
    """The :class:`~accounting_app.exporters.base.TokenProvider` of one connection."""

    def __init__(self, *, connection_id: int, exporter: AccountingExporter):
        self.connection_id = connection_id
        self.exporter = exporter

    def access_token(self) -> str:
        """The stored access token, refreshed first when it expires within two minutes."""
        connection = AccountingConnection.objects.get(pk=self.connection_id)
        values = secrets_decrypt(token=connection.secrets_encrypted)
        expires = connection.access_expires_at
        if values.get("access_token") and expires and expires - REFRESH_MARGIN > timezone.now():
            return values["access_token"]
        return self.refresh(rejected=values.get("access_token", ""))

    def refresh(self, *, rejected: str) -> str:
        """Refresh unless another worker already replaced ``rejected``; return the access token."""
        from accounting_app.services.connections import connection_tokens_store

        failure: AuthorizationError | None = None
        with transaction.atomic():
            connection = AccountingConnection.objects.select_for_update().get(pk=self.connection_id)
            values = secrets_decrypt(token=connection.secrets_encrypted)
            current = values.get("access_token", "")
            expires = connection.access_expires_at
            if current and current != rejected and expires and expires - REFRESH_MARGIN > timezone.now():
                return current
            if not values.get("refresh_token"):
                failure = AuthorizationError("The connection has no refresh token: connect it first")
            else:
                try:
                    tokens = self.exporter.token_refresh(refresh_token=values["refresh_token"])
                except AuthorizationError as exc:
                    failure = exc
                else:
                    connection_tokens_store(connection=connection, tokens=tokens)
                    connection.save(
                        update_fields=[
                            "secrets_encrypted",
                            "access_expires_at",
                            "refresh_expires_at",
                            "updated_at",
                        ]
                    )
                    return tokens.access_token
            connection.status = ConnectionStatus.NEEDS_RECONNECT
            connection.last_error = str(failure)
            connection.save(update_fields=["status", "last_error", "updated_at"])
        raise failure
