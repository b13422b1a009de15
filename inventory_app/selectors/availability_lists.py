"""Available-to-sell of many SKUs as rows: the SKUs a caller named, or every SKU whose figure
changed in a window (the availability endpoint's two answers)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from inventory_app.models import SKU
from inventory_app.selectors.availability import sku_available_to_sell
from inventory_app.selectors.availability_changes import (
    sku_availability_changed_q,
    sku_availability_updated_at,
)


@dataclass(frozen=True)
class AvailabilityRow:
    """One SKU's available-to-sell and when that figure last changed (None: no level row read)."""

    sku: int
    code: str
    is_kit: bool
    available: int
    updated_at: datetime | None


@dataclass(frozen=True)
class NamedAvailability:
    """The named SKUs' rows, sorted by code, and the ids and codes that named no SKU (in the
    order given, each once)."""

    rows: list[AvailabilityRow]
    unknown_ids: list[int]
    unknown_codes: list[str]


def _skus() -> QuerySet[SKU]:
    return SKU.objects.only("id", "code", "is_kit")


def sku_availability_rows(*, skus: Iterable[SKU], location_ids: list[int] | None) -> list[AvailabilityRow]:
    """Rows of ``skus`` in their order, over ``location_ids`` (None: every active sellable
    location). A few queries whatever the number of SKUs; meant for a page of them."""
    skus = list(skus)
    ids = [s.pk for s in skus]
    figures = sku_available_to_sell(sku_ids=ids, location_ids=location_ids)
    changed = sku_availability_updated_at(sku_ids=ids, location_ids=location_ids)
    return [AvailabilityRow(s.pk, s.code, s.is_kit, figures.get(s.pk, 0), changed.get(s.pk)) for s in skus]


def sku_availability_named(
    *,
    ids: list[int],
    codes: list[str],
    location_ids: list[int] | None,
    updated_after: datetime | None = None,
    updated_before: datetime | None = None,
) -> NamedAvailability:
    """The SKUs named by id or code whose figure changed in the window (no bound: all of them)."""
    window = sku_availability_changed_q(
        updated_after=updated_after, updated_before=updated_before, location_ids=location_ids
    )
    named = {s.pk: s for s in _skus().filter(Q(pk__in=ids) | Q(code__in=codes))}
    known_codes = {s.code for s in named.values()}
    rows = sorted(_skus().filter(window, pk__in=list(named)), key=lambda s: s.code)
    return NamedAvailability(
        rows=sku_availability_rows(skus=rows, location_ids=location_ids),
        unknown_ids=[pk for pk in dict.fromkeys(ids) if pk not in named],
        unknown_codes=[c for c in dict.fromkeys(codes) if c not in known_codes],
    )


def sku_availability_changed(
    *, location_ids: list[int] | None, updated_after: datetime | None, updated_before: datetime | None
) -> QuerySet[SKU]:
    """Every SKU whose figure changed in the window, by id (to page through, then
    :func:`sku_availability_rows` of a page)."""
    window = sku_availability_changed_q(
        updated_after=updated_after, updated_before=updated_before, location_ids=location_ids
    )
    return _skus().filter(window).order_by("id")
