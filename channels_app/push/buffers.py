"""Adaptive buffers over time: what each listing's buffer holds back is recorded at every push,
and listings holding units back are recomputed every few seconds, so that a buffer shrinks back
when the item stops selling fast or the channel catches up (nothing else would push them: their
SKU no longer changes while nobody can buy the held units)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from channels_app.models import Listing
from channels_app.push.outbox import account_push_request


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
    """Mark dirty every clean pushable listing whose adaptive buffer holds units back, and request
    a push of their accounts (after commit); return how many were marked. The push recomputes
    the figure and calls the channel only if it changed."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Listing.objects.filter(
                buffer_held__gt=0, needs_push=False, push_enabled=True, account__enabled=True
            )
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .values_list("pk", "account_id")
        )
        if not rows:
            return 0
        marked = Listing.objects.filter(pk__in=[pk for pk, _ in rows], needs_push=False).update(
            needs_push=True,
            dirty_since=now,
            dirty_version=F("dirty_version") + 1,
            next_attempt_at=None,
            updated_at=now,
        )
        account_push_request(account_ids={account_id for _, account_id in rows})
    return marked
