"""``manage.py ebay_migrate_listings ACCOUNT_ID LISTING_ID...``: move Seller Hub / Trading
listings of an eBay account to the Inventory API so they can be synced (read the eBay connector's
README first: afterwards Seller Hub can no longer edit them)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from channels_app.models import ChannelAccount
from channels_app.services.accounts import AccountError
from channels_app.services.ebay_migration import ebay_listings_migrate


class Command(BaseCommand):
    help = "Migrate eBay listings (item ids) to the Inventory API, then import them."

    def add_arguments(self, parser):
        parser.add_argument("account_id", type=int)
        parser.add_argument("listing_ids", nargs="+")

    def handle(self, *args, account_id: int, listing_ids: list[str], **options):
        account = ChannelAccount.objects.filter(pk=account_id).first()
        if account is None:
            raise CommandError(f"No account {account_id}")
        try:
            outcomes = ebay_listings_migrate(account=account, listing_ids=listing_ids)
        except AccountError as exc:
            raise CommandError(str(exc)) from None
        for outcome in outcomes:
            if outcome.ok:
                self.stdout.write(f"{outcome.listing_id}: migrated, SKUs {', '.join(outcome.skus)}")
            else:
                self.stdout.write(f"{outcome.listing_id}: not migrated: {outcome.error}")
