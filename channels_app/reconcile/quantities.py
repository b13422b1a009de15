"""Reconciliation: read each listing's live quantity, record drift from our last push, correct it."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from channels_app.models import ChannelAccount, DriftRecord, Listing
from channels_app.push.outbox import account_push_request
from channels_app.push.run import account_rate_limit, listing_ref
from channels_app.services.accounts import account_connector


def account_reconcile(*, account_id: int) -> dict[str, int]:
    """Compare live channel quantities with what we last pushed; record and correct any drift.

    A drifted listing gets a DriftRecord, its ``last_seen_qty`` updated and is marked dirty, so
    the next push (requested here) sets the channel back to our figure. Listings being pushed
    right now are skipped. Returns counts: ``checked``, ``drifted``.
    """
    account = ChannelAccount.objects.get(pk=account_id)
    connector = account_connector(account=account)
    listings = list(
        Listing.objects.filter(
            account=account, sku__isnull=False, push_enabled=True, last_pushed_qty__isnull=False
        ).order_by("pk")
    )
    checked = drifted = 0
    timeout = float(settings.CHANNELS_PUSH_LEASE_SECONDS) / 2
    size = max(int(connector.batch_max), 1)
    for start in range(0, len(listings), size):
        chunk = listings[start : start + size]
        account_rate_limit(account=account, connector=connector, timeout=timeout)
        live = connector.quantities_fetch(listings=[listing_ref(listing=item) for item in chunk])
        with transaction.atomic():
            for item in chunk:
                if item.external_id not in live:
                    continue
                checked += 1
                seen = live[item.external_id]
                current = Listing.objects.filter(
                    pk=item.pk, needs_push=False, last_pushed_qty=item.last_pushed_qty
                )
                if seen == item.last_pushed_qty:
                    current.update(last_seen_qty=seen, last_seen_at=timezone.now(), belief_shifted=False)
                    continue
                if not current.update(
                    last_seen_qty=seen,
                    last_seen_at=timezone.now(),
                    belief_shifted=False,
                    needs_push=True,
                    dirty_since=Now(),
                    dirty_version=F("dirty_version") + 1,
                ):
                    continue  # a push is pending or ran meanwhile: it will set the figure anyway
                DriftRecord.objects.create(
                    account=account,
                    listing=item,
                    expected_qty=item.last_pushed_qty,
                    seen_qty=seen,
                    corrected=True,
                )
                drifted += 1
    with transaction.atomic():
        ChannelAccount.objects.filter(pk=account.pk).update(last_reconcile_at=timezone.now())
        if drifted:
            account_push_request(account_ids=[account.pk])
    return {"checked": checked, "drifted": drifted}
