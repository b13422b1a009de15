"""Finding listings for staff (the admin's search)."""

from __future__ import annotations

from django.db.models import Q

from channels_app.models import Listing
from inventory_app.models import SKU
from inventory_app.selectors.estimates import query_rows_estimate

SCAN_ABOVE = 10_000  # listings the planner expects a term to match on the listing itself: a common term


def listings_search_filter(*, term: str) -> Q:
    """A filter of the listings whose channel id, channel SKU or title, or linked SKU's code
    contains ``term`` (any case). A rare term: the ids of a union of lookups each answered by an
    index (PostgreSQL's trigram indexes); a common one (more than SCAN_ABOVE expected): the
    listing's own fields row by row, or its SKU among the matching ones (a page fills at once)."""
    own = Q(external_id__icontains=term) | Q(external_sku__icontains=term) | Q(title__icontains=term)
    skus = SKU.objects.filter(code__icontains=term).order_by().values("pk")
    if (query_rows_estimate(queryset=Listing.objects.filter(own)) or 0) > SCAN_ABOVE:
        return own | Q(sku__in=skus)
    by_sku = Listing.objects.filter(sku__in=skus).order_by().values("pk")
    return Q(pk__in=Listing.objects.filter(own).order_by().values("pk").union(by_sku))
