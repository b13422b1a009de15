"""Connections: creation, mappings, the OAuth 2.0 authorisation-code connect flow, secrets.

Connect flow: :func:`connection_authorize_start` makes a random ``state``, stores only its
SHA-256 with a 10-minute expiry and returns the vendor's consent URL; the vendor redirects the
user back to our callback with ``code`` and ``state`` (QuickBooks adds ``realmId``);
:func:`connection_authorize_complete` checks the state (constant-time, unexpired, single use)
before anything else, exchanges the code, finds the tenant and stores the tokens encrypted.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounting_app.crypto import secrets_decrypt, secrets_encrypt
from accounting_app.exporters.base import AccountingExporter
from accounting_app.exporters.dto import ConnectionConfig, TokenSet
from accounting_app.exporters.endpoints import EndpointRefused, endpoint_check, fixed_url
from accounting_app.exporters.registry import exporter_build, exporter_class_get
from accounting_app.models import (
    AccountingConnection,
    AccountMapping,
    ConnectionStatus,
    TaxMapping,
)

STATE_LIFETIME = timedelta(minutes=10)


class ConnectFlowError(Exception):
    """The OAuth callback is not acceptable (bad or expired state, vendor refusal)."""


def _state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def connection_endpoints_check(*, kind: str, api_base_url: str, auth_base_url: str, token_url: str) -> None:
    """Raise ValidationError (by field) unless the URLs are the vendor's endpoints (or empty)."""
    exporter = exporter_class_get(kind=kind)
    errors = {}
    for field, url, constant, what in (
        ("auth_base_url", auth_base_url, exporter.oauth_authorize_base, "consent page URL"),
        ("token_url", token_url, exporter.oauth_token_url, "token URL"),
        ("api_base_url", api_base_url, "", "API base URL"),
    ):
        try:
            if constant:
                fixed_url(configured=url, constant=constant, what=what)
            elif url:
                endpoint_check(url=url, hosts=exporter.api_hosts, what=what)
        except EndpointRefused as exc:
            errors[field] = str(exc)
    if errors:
        raise ValidationError(errors)


def connection_create(
    *,
    kind: str,
    name: str,
    client_id: str,
    client_secret: str,
    export_from: date,
    api_base_url: str = "",
    auth_base_url: str = "",
    token_url: str = "",
    **options: object,
) -> AccountingConnection:
    """Create a connection (not connected yet) with its client secret encrypted."""
    connection_endpoints_check(
        kind=kind, api_base_url=api_base_url, auth_base_url=auth_base_url, token_url=token_url
    )
    connection = AccountingConnection(
        kind=kind,
        name=name,
        client_id=client_id,
        export_from=export_from,
        api_base_url=api_base_url,
        auth_base_url=auth_base_url,
        token_url=token_url,
        secrets_encrypted=secrets_encrypt(values={"client_secret": client_secret}),
        **options,
    )
    connection.full_clean()
    connection.save()
    return connection


def connection_secrets(*, connection: AccountingConnection) -> dict[str, str]:
    """The decrypted secrets of a connection (client_secret, access_token, refresh_token)."""
    return secrets_decrypt(token=connection.secrets_encrypted)


def connection_config(*, connection: AccountingConnection) -> ConnectionConfig:
    """The exporter's view of a connection."""
    return ConnectionConfig(
        connection_id=connection.pk,
        client_id=connection.client_id,
        client_secret=connection_secrets(connection=connection).get("client_secret", ""),
        tenant_id=connection.tenant_id,
        api_base_url=connection.api_base_url,
        auth_base_url=connection.auth_base_url,
        token_url=connection.token_url,
        options={"use_item_codes": connection.use_item_codes},
    )


def connection_exporter(*, connection: AccountingConnection) -> AccountingExporter:
    """The connection's exporter, with a token provider that refreshes and persists tokens."""
    from accounting_app.services.tokens import ConnectionTokenProvider

    config = connection_config(connection=connection)
    exporter = exporter_build(kind=connection.kind, config=config)
    exporter.tokens = ConnectionTokenProvider(connection_id=connection.pk, exporter=exporter)
    return exporter


def connection_tokens_store(*, connection: AccountingConnection, tokens: TokenSet) -> None:
    """Store a token set encrypted (the caller holds the row lock or owns the row)."""
    values = connection_secrets(connection=connection)
    values.update(access_token=tokens.access_token, refresh_token=tokens.refresh_token)
    connection.secrets_encrypted = secrets_encrypt(values=values)
    connection.access_expires_at = tokens.expires_at
    connection.refresh_expires_at = tokens.refresh_expires_at


def connection_authorize_start(*, connection: AccountingConnection, redirect_uri: str) -> str:
    """Begin the connect flow: remember a fresh state (hashed) and return the consent URL.

    The state is ``<connection pk>.<random>`` so the one registered callback URL can find the
    connection; only its SHA-256 is stored, for 10 minutes, and it is single-use.
    """
    state = f"{connection.pk}.{secrets.token_urlsafe(32)}"
    exporter = exporter_build(kind=connection.kind, config=connection_config(connection=connection))
    consent = exporter.authorization_url(state=state, redirect_uri=redirect_uri)  # EndpointRefused first
    AccountingConnection.objects.filter(pk=connection.pk).update(
        oauth_state_hash=_state_hash(state), oauth_state_expires_at=timezone.now() + STATE_LIFETIME
    )
    return consent


def connection_id_from_state(*, state: str) -> int | None:
    """The connection a callback's ``state`` names (its prefix); None when it names none.

    Only a routing hint: :func:`connection_authorize_complete` still checks the whole state.
    """
    prefix, _, rest = state.partition(".")
    return int(prefix) if prefix.isdigit() and rest else None


def connection_authorize_complete(
    *, connection_id: int, callback: Mapping[str, str], redirect_uri: str
) -> AccountingConnection:
    """Finish the connect flow from the callback's query; raises ConnectFlowError, storing nothing,
    when the state is wrong, expired or used, or the vendor reports an error."""
    with transaction.atomic():
        connection = AccountingConnection.objects.select_for_update().get(pk=connection_id)
        state = callback.get("state", "")
        expected = connection.oauth_state_hash
        fresh = connection.oauth_state_expires_at and connection.oauth_state_expires_at > timezone.now()
        if not state or not expected or not hmac.compare_digest(_state_hash(state), expected) or not fresh:
            raise ConnectFlowError("The authorisation state does not match: start the connection again")
        connection.oauth_state_hash = ""
        connection.oauth_state_expires_at = None
        connection.save(update_fields=["oauth_state_hash", "oauth_state_expires_at", "updated_at"])
    if callback.get("error"):
        raise ConnectFlowError(f"The vendor refused the authorisation: {callback['error']}")
    if not callback.get("code"):
        raise ConnectFlowError("The callback carries no authorisation code")
    exporter = exporter_build(kind=connection.kind, config=connection_config(connection=connection))
    tokens = exporter.code_exchange(code=callback["code"], redirect_uri=redirect_uri)
    tenant = exporter.tenant_discover(tokens=tokens, callback=callback)
    with transaction.atomic():
        connection = AccountingConnection.objects.select_for_update().get(pk=connection_id)
        connection_tokens_store(connection=connection, tokens=tokens)
        connection.tenant_id = tenant.tenant_id
        connection.tenant_name = tenant.name
        connection.status = ConnectionStatus.CONNECTED
        connection.last_error = ""
        connection.save()
    return connection


def connection_update(
    *, connection: AccountingConnection, client_secret: str = "", **fields: object
) -> AccountingConnection:
    """Change a connection's settings; a non-empty ``client_secret`` replaces the stored one."""
    for name, value in fields.items():
        setattr(connection, name, value)
    if client_secret:
        values = connection_secrets(connection=connection)
        values["client_secret"] = client_secret
        connection.secrets_encrypted = secrets_encrypt(values=values)
    connection_endpoints_check(
        kind=connection.kind,
        api_base_url=connection.api_base_url,
        auth_base_url=connection.auth_base_url,
        token_url=connection.token_url,
    )
    connection.full_clean()
    connection.save()
    return connection


def connection_disconnect(*, connection: AccountingConnection) -> AccountingConnection:
    """Forget the tokens (the client secret stays); the connection must be connected again."""
    values = {"client_secret": connection_secrets(connection=connection).get("client_secret", "")}
    connection.secrets_encrypted = secrets_encrypt(values=values)
    connection.access_expires_at = connection.refresh_expires_at = None
    connection.status = ConnectionStatus.NEW
    connection.save(
        update_fields=["secrets_encrypted", "access_expires_at", "refresh_expires_at", "status", "updated_at"]
    )
    return connection


def account_mapping_set(
    *, connection: AccountingConnection, role: str, external_code: str, channel_id: int | None = None
) -> AccountMapping:
    """Map a role (for one channel, or the default) to an external account code / id."""
    mapping, _ = AccountMapping.objects.update_or_create(
        connection=connection, role=role, channel_id=channel_id, defaults={"external_code": external_code}
    )
    return mapping


def tax_mapping_set(
    *, connection: AccountingConnection, kind: str, external_code: str, channel_id: int | None = None
) -> TaxMapping:
    """Map sales or purchases (for one channel, or the default) to a vendor tax type/code."""
    mapping, _ = TaxMapping.objects.update_or_create(
        connection=connection, kind=kind, channel_id=channel_id, defaults={"external_code": external_code}
    )
    return mapping
