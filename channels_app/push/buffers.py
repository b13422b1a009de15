"""Adaptive buffers over time: what each listing's buffer holds back is recorded at every push,
and listings holding units back are recomputed every few seconds, so that the held units go back
on sale when the item stops selling fast or the channel catches up (nothing else would push them:
their SKU no longer changes while nobody can buy the held units)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from channels_app.models import Listing
from channels_app.push.outbox import account_push_request
from channels_app.selectors.quantities import listings_published_figures

REFRESH_MAX = 5000  # listings recomputed per refresh (the oldest accounts' first)


def listings_buffer_held_record(*, listings: Sequence[Listing], held: Mapping[int, int]) -> None:
    """Record on each listing the units its adaptive buffer holds back now (``held``: listing id
    -> units; absent: none). Only listings whose figure changes are written, one UPDATE per
    figure."""
    changed: dict[int, list[int]] = defaultdict(list)
    for item in listings:
        units = int(held.get(item.pk, 0))
        if units != item.buffer_held:
            changed[units].append(item.pk)
            item.buffer_held = units
    for units, ids in changed.items():
        Listing.objects.filter(pk__in=ids).update(buffer_held=units)


def listings_buffer_refresh() -> int:
    """Recompute the clean pushable listings whose adaptive buffer holds units back; mark dirty
    those whose buffer is now gone, and request a push of their accounts (after commit); return
    how many were marked. A buffer that only shrank waits until it is gone: each step back would
    cost the channel a call (the quota-bound ones most), and a rush on the item may still be on."""
    now = timezone.now()
    held = (
        Listing.objects.filter(buffer_held__gt=0, needs_push=False, push_enabled=True, account__enabled=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .select_related("account", "sku")
        .order_by("account_id", "pk")
    )
    by_account: dict[int, list[Listing]] = defaultdict(list)
    for item in held[:REFRESH_MAX]:
        by_account[item.account_id].append(item)
    released: list[Listing] = []
    for listings in by_account.values():
        _, still = listings_published_figures(account=listings[0].account, listings=listings)
        released += [item for item in listings if not still.get(item.pk)]
    if not released:
        return 0
    with transaction.atomic():
        marked = Listing.objects.filter(pk__in=[item.pk for item in released], needs_push=False).update(
            needs_push=True,
            dirty_since=now,
            dirty_version=F("dirty_version") + 1,
            next_attempt_at=None,
            updated_at=now,
        )
        account_push_request(account_ids={item.account_id for item in released})
    return marked
