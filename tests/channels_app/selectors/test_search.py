"""Finding listings for staff: channel id, channel SKU, title or the linked SKU's code."""

from __future__ import annotations

import pytest

from channels_app.models import Listing
from channels_app.selectors.search import listings_search_filter
from channels_app.services.accounts import account_create
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db


def test_listings_search_filter_finds_by_channel_fields_and_linked_sku_code_in_any_case():
    account = account_create(
        kind="generic", name="Shop", base_url="https://shop.example.com/", credentials={"api_key": "k"}
    )
    mug = SKUFactory(code="MUG-RED")

    def listing(external_id: str, **fields) -> int:
        return Listing.objects.create(account=account, external_id=external_id, **fields).pk

    by_id = listing("gid-7781")
    by_channel_sku = listing("L2", external_sku="bowl-blue")
    by_title = listing("L3", title="Linen napkin")
    by_sku = listing("L4", sku=mug)
    both = listing("L5", sku=mug, title="Red mug, large")

    def found(term: str) -> set[int]:
        return set(Listing.objects.filter(listings_search_filter(term=term)).values_list("pk", flat=True))

    assert found("GID-77") == {by_id}
    assert found("Bowl-B") == {by_channel_sku}
    assert found("NAPKIN") == {by_title}
    assert found("mug") == {by_sku, both}
    assert found("nothing-like-it") == set()
