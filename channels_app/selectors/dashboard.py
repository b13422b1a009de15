"""Every channel account's sync health for the staff dashboard (registered as a core hook provider).

A fixed number of queries whatever the number of accounts or listings: one per figure, grouped
by account.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from channels_app.models import ChannelAccount, DriftRecord, InboundEvent, InboundEventStatus, Listing
from inventory_app.dashboard_hooks import ChannelHealth


def _url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def channel_health_rows() -> list[ChannelHealth]:
    """Lag (age of the oldest waiting push), last order in, pushes waiting and failing, failed
    events, drift of the last 24 hours and the last error of every account."""
    now = timezone.now()
    since = now - timedelta(hours=24)
    listings = {
        row["account_id"]: row
        for row in Listing.objects.filter(needs_push=True)
        .order_by()
        .values("account_id")
        .annotate(
            waiting=Count("pk"),
            failing=Count("pk", filter=Q(push_failures__gt=0)),
            oldest=Min("dirty_since"),
        )
    }
    failed = dict(
        InboundEvent.objects.filter(status=InboundEventStatus.FAILED)
        .order_by()
        .values("account_id")
        .annotate(n=Count("pk"))
        .values_list("account_id", "n")
    )
    drift = dict(
        DriftRecord.objects.filter(found_at__gte=since)
        .order_by()
        .values("account_id")
        .annotate(n=Count("pk"))
        .values_list("account_id", "n")
    )
    rows = []
    for account in ChannelAccount.objects.order_by("name", "pk"):
        figures = listings.get(account.pk, {})
        oldest = figures.get("oldest")
        rows.append(
            ChannelHealth(
                sales_channel_id=account.sales_channel_id,
                name=account.name,
                kind=account.kind,
                enabled=account.enabled,
                lag_seconds=(now - oldest).total_seconds() if oldest else None,
                last_order_at=account.last_order_intake_at,
                waiting=figures.get("waiting", 0),
                failing=figures.get("failing", 0),
                failed_events=failed.get(account.pk, 0),
                drift_24h=drift.get(account.pk, 0),
                daily_budget_left=None,  # no connector exposes a daily call budget yet
                last_error=account.last_error,
                links={
                    "account": reverse("admin:channels_app_channelaccount_change", args=[account.pk]),
                    "waiting": _url(
                        "admin:channels_app_listing_changelist",
                        account__id__exact=account.pk,
                        needs_push__exact=1,
                    ),
                    "failing": _url(
                        "admin:channels_app_listing_changelist", account__id__exact=account.pk, failing="yes"
                    ),
                    "failed_events": _url(
                        "admin:channels_app_inboundevent_changelist",
                        account__id__exact=account.pk,
                        status__exact=InboundEventStatus.FAILED,
                    ),
                    "drift": _url(
                        "admin:channels_app_driftrecord_changelist",
                        account__id__exact=account.pk,
                        found_at__gte=since.isoformat(),
                    ),
                    "last_order": _url(
                        "admin:inventory_app_order_changelist", channel__id__exact=account.sales_channel_id
                    ),
                },
            )
        )
    return rows
