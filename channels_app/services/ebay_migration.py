"""Moving a seller's Seller Hub / Trading listings to the Inventory API (eBay's bulkMigrateListing),
the one path eBay offers for them to be synced; then importing what it created."""

from __future__ import annotations

from collections.abc import Sequence

from channels_app.connectors.ebay.migration import Migrated
from channels_app.connectors.errors import ConnectorError
from channels_app.models import ChannelAccount
from channels_app.services.accounts import AccountError, account_connector
from channels_app.services.onboarding import account_listings_import


def ebay_listings_migrate(*, account: ChannelAccount, listing_ids: Sequence[str]) -> list[Migrated]:
    """Migrate ``listing_ids`` (eBay item ids) of an eBay account, then import the account's
    listings when any migrated (their SKUs link to ours as usual). AccountError saying why when
    eBay refused the call; per listing, eBay's reason is in :class:`Migrated.error`."""
    if account.kind != "ebay":
        raise AccountError(f"{account.name} is not an eBay account")
    try:
        outcomes = account_connector(account=account).listings_migrate(listing_ids=listing_ids)
    except ConnectorError as exc:
        raise AccountError(f"{account.name}: eBay did not migrate the listings: {exc}") from None
    if any(o.ok for o in outcomes):
        account_listings_import(account=account)
    return outcomes
