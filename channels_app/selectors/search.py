"""Finding listings for staff (the admin's search)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from channels_app.models import Listing
from inventory_app.models import SKU


def listings_matching(*, term: str) -> QuerySet:
    """Ids of the listings whose channel id, channel SKU or title, or linked SKU's code contains
    ``term`` (any case): a union of lookups each answered by an index (PostgreSQL's trigram
    indexes), rather than every listing joined to its SKU and filtered."""
    own = Listing.objects.filter(
        Q(external_id__icontains=term) | Q(external_sku__icontains=term) | Q(title__icontains=term)
    )
    skus = SKU.objects.filter(code__icontains=term).order_by().values("pk")
    by_sku = Listing.objects.filter(sku__in=skus)
    return own.order_by().values("pk").union(by_sku.order_by().values("pk"))
