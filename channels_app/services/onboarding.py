"""Onboarding: import listings, link them to SKUs, seed stock, preview the first push, go live."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from channels_app.models import ChannelAccount, Listing
from channels_app.push.outbox import account_push_request
from channels_app.push.run import account_rate_limit
from channels_app.selectors.quantities import listings_published_quantities
from channels_app.services.accounts import AccountError, account_connector
from inventory_app.models import SKU, Location, MovementReason, OrderLine, OrderStatus, StockLevel
from inventory_app.services.audit import audit_record_update
from inventory_app.services.ledger import StockChange, stock_apply

logger = logging.getLogger(__name__)

MAX_PAGES = 10000


def account_listings_import(
    *, account: ChannelAccount, autolink: bool = True, on_page: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Read every listing of the channel and store it (idempotent on the external id).

    New and existing listings keep their links; with ``autolink`` unlinked ones are linked to the
    SKU whose code equals the channel's SKU. Returns counts: ``imported``, ``linked``.
    ``on_page`` is told the listings imported so far after each page (outside its transaction).
    """
    connector = account_connector(account=account)
    cursor: str | None = None
    imported = 0
    for _ in range(MAX_PAGES):
        account_rate_limit(account=account, connector=connector, timeout=30.0)
        page = connector.listings_fetch(cursor=cursor)
        with transaction.atomic():
            for dto in page.listings:
                Listing.objects.update_or_create(
                    account=account,
                    external_id=dto.external_id,
                    defaults={
                        "external_sku": dto.sku_code,
                        "title": dto.title[:500],
                        "external_product_id": dto.external_product_id,
                        "external_variant_id": dto.external_variant_id,
                        "external_inventory_item_id": dto.external_inventory_item_id,
                        "external_offer_id": dto.external_offer_id,
                        "push_enabled": dto.push_enabled,
                        "extra": dict(dto.extra),
                        "last_seen_qty": dto.quantity,
                        "last_seen_at": Now() if dto.quantity is not None else None,
                    },
                )
                imported += 1
        if on_page is not None:
            on_page(imported)
        cursor = page.next_cursor
        if not cursor:
            break
    linked = listings_autolink(account=account) if autolink else 0
    return {"imported": imported, "linked": linked}


def account_listings_import_by_id(*, account_id: int) -> dict[str, int]:
    """:func:`account_listings_import` of an enabled account (the background task's entry);
    empty counts when the account is gone or disabled."""
    account = ChannelAccount.objects.filter(pk=account_id, enabled=True).first()
    if account is None:
        return {"imported": 0, "linked": 0}
    return account_listings_import(account=account)


def listings_autolink(*, account: ChannelAccount) -> int:
    """Link every unlinked listing whose channel SKU equals one of our SKU codes; return how many."""
    linked = 0
    with transaction.atomic():
        unlinked = Listing.objects.filter(account=account, sku__isnull=True).exclude(external_sku="")
        codes = dict(SKU.objects.filter(code__in=unlinked.values("external_sku")).values_list("code", "pk"))
        for listing in unlinked.select_for_update():
            if listing.external_sku in codes:
                listing_link(listing=listing, sku_id=codes[listing.external_sku])
                linked += 1
    return linked


def listing_link(*, listing: Listing, sku_id: int) -> Listing:
    """Link ``listing`` to a SKU and mark it dirty (its figure is pushed next)."""
    with transaction.atomic():
        Listing.objects.filter(pk=listing.pk).update(
            updated_at=timezone.now(),
            sku_id=sku_id,
            needs_push=True,
            dirty_since=Now(),
            dirty_version=F("dirty_version") + 1,
        )
        audit_record_update(instance=listing, changes={"sku": (listing.sku_id, sku_id)})
        account_push_request(account_ids=[listing.account_id])
    listing.refresh_from_db()
    return listing


def listing_unlink(*, listing: Listing) -> Listing:
    """Remove the listing's SKU link; it is no longer pushed (its channel figure is left as is)."""
    with transaction.atomic():
        Listing.objects.filter(pk=listing.pk).update(
            updated_at=timezone.now(), sku=None, needs_push=False, dirty_since=None, claimed_until=None
        )
        audit_record_update(instance=listing, changes={"sku": (listing.sku_id, None)})
    listing.refresh_from_db()
    return listing


@dataclass(frozen=True)
class PushPreview:
    """One row of the first-push preview."""

    listing_id: int
    external_id: str
    sku_code: str
    channel_quantity: int | None
    would_push: int


def account_push_preview(*, account: ChannelAccount) -> list[PushPreview]:
    """What the first push would set on each linked listing, next to what the channel shows now."""
    listings = list(
        Listing.objects.filter(account=account, sku__isnull=False, push_enabled=True).select_related("sku")
    )
    wanted = listings_published_quantities(account=account, listings=listings)
    return [
        PushPreview(
            listing_id=item.pk,
            external_id=item.external_id,
            sku_code=item.sku.code,
            channel_quantity=item.last_seen_qty,
            would_push=wanted[item.pk],
        )
        for item in listings
    ]


def account_stock_seed(*, account: ChannelAccount, location: Location) -> int:
    """Set on hand at ``location`` from the channel: its quantity plus its open orders' units.

    For SKUs with no stock anywhere yet (a fresh install), using the imported channel figures;
    existing levels are never overwritten. Returns the number of SKUs seeded.
    """
    listings = Listing.objects.filter(
        account=account, sku__isnull=False, sku__is_kit=False, last_seen_qty__isnull=False
    )
    per_sku: dict[int, int] = defaultdict(int)
    for sku_id, qty in listings.values_list("sku_id", "last_seen_qty"):
        per_sku[sku_id] = max(per_sku[sku_id], qty)
    stocked = set(
        StockLevel.objects.filter(sku_id__in=per_sku).exclude(on_hand=0).values_list("sku_id", flat=True)
    )
    open_units: dict[int, int] = defaultdict(int)
    for sku_id, qty, shipped, cancelled in OrderLine.objects.filter(
        order__channel=account.sales_channel,
        order__status__in=[OrderStatus.OPEN, OrderStatus.PARTIALLY_SHIPPED],
        sku_id__in=per_sku,
    ).values_list("sku_id", "quantity", "quantity_shipped", "quantity_cancelled"):
        open_units[sku_id] += qty - shipped - cancelled
    changes = [
        StockChange(sku_id=sku_id, location_id=location.pk, on_hand_delta=qty + open_units[sku_id])
        for sku_id, qty in sorted(per_sku.items())
        if sku_id not in stocked and qty + open_units[sku_id] > 0
    ]
    if not changes:
        return 0
    stock_apply(
        changes=changes,
        reason=MovementReason.IMPORT,
        reference=f"channel-seed:{account.pk}",
        idempotency_key=f"channel-seed:{account.pk}:{location.pk}",
    )
    return len(changes)


def account_go_live(*, account: ChannelAccount, base_url: str = "") -> ChannelAccount:
    """End dry-run: forget the figures dry-run "pushed" and mark every linked listing dirty.

    With the site's ``base_url``, and a connector that registers webhooks, the channel's webhooks
    are registered to the account's URL once the account is live; a refusal does not undo going
    live (the order poll is the safety net): it is kept on the account (``webhooks_error``).
    """
    from channels_app.notifications.webhook_subscriptions import (
        account_webhooks_register,
        account_webhooks_supported,
    )

    with transaction.atomic():
        ChannelAccount.objects.filter(pk=account.pk).update(dry_run=False, enabled=True)
        Listing.objects.filter(account=account, sku__isnull=False).update(
            updated_at=timezone.now(),
            last_pushed_qty=None,
            last_pushed_at=None,
            needs_push=True,
            dirty_since=Now(),
            dirty_version=F("dirty_version") + 1,
        )
        account_push_request(account_ids=[account.pk])
    if base_url and account_webhooks_supported(account=account):
        try:
            account_webhooks_register(account_id=account.pk, base_url=base_url)
        except AccountError as exc:
            logger.warning("account %s went live; webhooks not registered: %s", account.pk, exc)
    account.refresh_from_db()
    return account
