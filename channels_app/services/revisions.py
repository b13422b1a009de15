"""The engine's :class:`~channels_app.connectors.ebay.revisions.RevisionBook`: per-listing daily
revision counts in the database, shared by every worker process (one row per listing and day,
taken ``FOR UPDATE`` while a revision is reserved)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction
from django.db.models import F, Max

from channels_app.connectors.ebay.revisions import CAP, Verdict
from channels_app.models import ListingRevisionCount


class AccountRevisionBook:
    """Revision counts of one account's listings."""

    def __init__(self, *, account_id: int) -> None:
        self.account_id = account_id

    def _rows(self, *, listing_id: str, days: Sequence[str]):
        for day in days:
            ListingRevisionCount.objects.get_or_create(
                account_id=self.account_id, listing_ref=listing_id, day=day
            )
        return ListingRevisionCount.objects.filter(
            account_id=self.account_id, listing_ref=listing_id, day__in=days
        )

    def reserve(self, *, listing_id: str, days: Sequence[str], rule: Callable[[int], Verdict]) -> Verdict:
        with transaction.atomic():
            rows = list(self._rows(listing_id=listing_id, days=days).select_for_update().order_by("day"))
            answer = rule(max(r.count for r in rows))
            if answer == "granted":
                ListingRevisionCount.objects.filter(pk__in=[r.pk for r in rows]).update(count=F("count") + 1)
            return answer

    def release(self, *, listing_id: str, days: Sequence[str]) -> None:
        ListingRevisionCount.objects.filter(
            account_id=self.account_id, listing_ref=listing_id, day__in=days, count__gt=0
        ).update(count=F("count") - 1)

    def used(self, *, listing_id: str, days: Sequence[str]) -> int:
        found = ListingRevisionCount.objects.filter(
            account_id=self.account_id, listing_ref=listing_id, day__in=days
        ).aggregate(m=Max("count"))["m"]
        return int(found or 0)

    def close(self, *, listing_id: str, days: Sequence[str]) -> None:
        self._rows(listing_id=listing_id, days=days).filter(count__lt=CAP).update(count=CAP)
