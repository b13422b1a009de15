"""The order poll: the safety net behind webhooks, resuming from the account's cursor."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from channels_app.connectors.errors import ConnectorError
from channels_app.intake.orders import inbound_event_process, inbound_event_record, polled_event_id
from channels_app.models import ChannelAccount, InboundEventStatus, SyncCursor
from channels_app.push.outbox import account_push_request
from channels_app.push.run import account_rate_limit
from channels_app.services.account_errors import account_error_record
from channels_app.services.accounts import account_connector
from channels_app.services.leases import (
    sync_cursor_lease_release,
    sync_cursor_lease_renew,
    sync_cursor_lease_take,
)

MAX_PAGES = 1000
# How long a poll holds its account's orders stream (renewed every page).
POLL_LEASE = timedelta(seconds=120)


def account_orders_sync(*, account_id: int, claimer: str = "") -> dict[str, int]:
    """Take in every order changed on the channel since the cursor (minus the connector's overlap).

    Each polled order version is stored as an inbound event (``poll:<id>:<updated_at>:<digest of
    the snapshot>``, see ``polled_event_id``, so a version seen twice is applied once and two
    versions within one second are two) and applied through the same intake service as webhooks.
    When all pages are read, the cursor and ``orders_synced_at`` move to the poll's start time,
    which releases increases held by the resurrection guard; a push is then requested.
    One poll per account at a time (a lease on the cursor, renewed every page, released at the
    end, running out if the worker dies, released by the worker restarting when ``claimer`` names
    it): a poll asked for while another runs returns at once.
    Returns counts: ``orders`` seen, ``applied`` new versions, ``busy`` 1 when another poll ran.
    """
    account = ChannelAccount.objects.select_related("sales_channel").get(pk=account_id)
    cursor_row, _ = SyncCursor.objects.get_or_create(account=account, stream="orders")
    if not sync_cursor_lease_take(cursor_row=cursor_row, claimer=claimer, lease=POLL_LEASE):
        return {"orders": 0, "applied": 0, "busy": 1}
    try:
        seen, applied = _orders_poll(account=account, cursor_row=cursor_row)
    except ConnectorError as exc:
        account_error_record(account_id=account.pk, error=exc)
        raise
    finally:
        sync_cursor_lease_release(cursor_row=cursor_row)
    return {"orders": seen, "applied": applied, "busy": 0}


def _orders_poll(*, account: ChannelAccount, cursor_row: SyncCursor) -> tuple[int, int]:
    connector = account_connector(account=account)
    started = timezone.now()
    cursor_row.refresh_from_db(fields=["value"])  # as the previous poll left it
    since = None
    if cursor_row.value:
        since = datetime.fromisoformat(cursor_row.value) - timedelta(seconds=connector.order_overlap_seconds)
    page_cursor: str | None = None
    seen = applied = 0
    timeout = float(settings.CHANNELS_PUSH_LEASE_SECONDS) / 2
    for _ in range(MAX_PAGES):
        account_rate_limit(account=account, connector=connector, timeout=timeout)
        page = connector.orders_fetch_changed(since=since, cursor=page_cursor)
        for order in page.orders:
            seen += 1
            event, _created = inbound_event_record(
                account=account,
                event_id=polled_event_id(order=order),
                source="poll",
                topic="order.polled",
                payload={"order_id": order.external_id, "updated_at": order.updated_at.isoformat()},
                order=order,
            )
            if event.status in (InboundEventStatus.PENDING, InboundEventStatus.FAILED):
                inbound_event_process(event_id=event.pk)
                applied += 1
        page_cursor = page.next_cursor
        if not page_cursor:
            break
        sync_cursor_lease_renew(cursor_row=cursor_row, lease=POLL_LEASE)
    with transaction.atomic():
        SyncCursor.objects.filter(pk=cursor_row.pk).update(value=started.isoformat())
        ChannelAccount.objects.filter(pk=account.pk).update(
            orders_synced_at=started, last_order_intake_at=timezone.now(), last_error=""
        )
        account_push_request(account_ids=[account.pk])
    return seen, applied
