"""Sync state of accounts, for staff (admin, API) and commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from channels_app.models import ChannelAccount, DriftRecord, InboundEvent, InboundEventStatus, Listing


def account_dirty_count(*, account: ChannelAccount) -> int:
    """Listings of the account waiting to be pushed."""
    return Listing.objects.filter(account=account, needs_push=True).count()


@dataclass(frozen=True)
class AccountSyncState:
    """What staff need to see about one account's sync."""

    account_id: int
    last_order_intake_at: datetime | None
    last_push_at: datetime | None
    last_reconcile_at: datetime | None
    orders_synced_at: datetime | None
    push_lag_seconds: float | None
    dirty: int
    failing: int
    unlinked: int
    failed_events: int
    drift_last_24h: int
    last_error: str


def account_sync_state(*, account: ChannelAccount) -> AccountSyncState:
    """Intake and push times, lag (age of the oldest dirty listing), queue depth, failures, drift."""
    now = timezone.now()
    counts = Listing.objects.filter(account=account).aggregate(
        dirty=Count("pk", filter=Q(needs_push=True)),
        failing=Count("pk", filter=Q(needs_push=True, push_failures__gt=0)),
        unlinked=Count("pk", filter=Q(sku__isnull=True)),
    )
    oldest = (
        Listing.objects.filter(account=account, needs_push=True, dirty_since__isnull=False)
        .order_by("dirty_since")
        .values_list("dirty_since", flat=True)
        .first()
    )
    return AccountSyncState(
        account_id=account.pk,
        last_order_intake_at=account.last_order_intake_at,
        last_push_at=account.last_push_at,
        last_reconcile_at=account.last_reconcile_at,
        orders_synced_at=account.orders_synced_at,
        push_lag_seconds=(now - oldest).total_seconds() if oldest else None,
        dirty=counts["dirty"],
        failing=counts["failing"],
        unlinked=counts["unlinked"],
        failed_events=InboundEvent.objects.filter(account=account, status=InboundEventStatus.FAILED).count(),
        drift_last_24h=DriftRecord.objects.filter(
            account=account, found_at__gte=now - timedelta(hours=24)
        ).count(),
        last_error=account.last_error,
    )
