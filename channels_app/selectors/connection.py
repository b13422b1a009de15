"""How an account authenticates to its channel now, for staff (admin, API). No secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from channels_app.connectors.registry import connector_class_get
from channels_app.crypto import SecretsError, credentials_decrypt
from channels_app.models import ChannelAccount, ChannelToken
from channels_app.services.tokens import token_clock

# A refresh token that itself expires (eBay's, after about 18 months) is announced this long before.
REFRESH_WARN_SECONDS = 30 * 86400


@dataclass(frozen=True)
class AccountConnection:
    """``state``: "static" (credentials used as typed), "connected" (a stored token),
    "not_connected" (none yet), "reconnect" (the channel refused the grant: ``message`` says what
    to do; on a connected account, the warning that its refresh token expires soon). ``expires_at``:
    the stored token's expiry (epoch seconds); ``refresh_expires_at``: its refresh token's;
    ``connect_flow``: the account is (re)connected through the channel's install flow."""

    state: str
    message: str = ""
    expires_at: float | None = None
    connect_flow: bool = False
    refresh_expires_at: float | None = None


def account_connection(*, account: ChannelAccount) -> AccountConnection:
    """The account's :class:`AccountConnection`."""
    try:
        cls = connector_class_get(kind=account.kind)
        credentials = credentials_decrypt(token=account.credentials_encrypted)
    except (LookupError, SecretsError) as exc:
        return AccountConnection(state="reconnect", message=str(exc))
    kind = cls.token_kind(credentials=credentials, options=account.options)
    if kind == "static":
        return AccountConnection(state="static")
    flow = kind == "connect"
    row = ChannelToken.objects.filter(account=account).first()
    if row is not None and row.reconnect_reason:
        return AccountConnection(
            state="reconnect", message=row.reconnect_reason, expires_at=row.expires_at, connect_flow=flow
        )
    if row is None or not row.secrets_encrypted:
        message = f"Use 'Connect {cls.label or account.kind}' to grant access" if flow else ""
        return AccountConnection(state="not_connected", message=message, connect_flow=flow)
    message = ""
    ends = row.refresh_expires_at
    if ends is not None and ends - token_clock() <= REFRESH_WARN_SECONDS:
        day = datetime.fromtimestamp(ends, UTC).date().isoformat()
        message = (
            f"The {cls.label or account.kind} grant (refresh token) expires on {day}: connect the account "
            "again before then, or it stops syncing"
        )
    return AccountConnection(
        state="connected",
        message=message,
        expires_at=row.expires_at,
        connect_flow=flow,
        refresh_expires_at=ends,
    )
