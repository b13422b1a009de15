"""A channel's permanent refusal recorded on its account, where staff see it (the account's
admin page, the dashboard's failures): a poll or push that failed for a reason only the seller
can fix (expired credentials) must not look like a quiet, empty sync."""

from __future__ import annotations

from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.models import ChannelAccount


def account_error_record(*, account_id: int, error: ConnectorError) -> None:
    """Set the account's ``last_error`` to ``error``'s message (a permanent ConnectorError;
    transient ones are retried and left out). The next successful poll clears it."""
    if isinstance(error, RetryableError):
        return
    ChannelAccount.objects.filter(pk=account_id).update(last_error=str(error)[:2000])
