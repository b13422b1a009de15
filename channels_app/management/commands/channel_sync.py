"""``manage.py channel_sync --account ID [--import-listings] [--orders] [--push] [--reconcile]``

Runs the chosen sync steps for one account now, in this process (what the beat jobs and workers
do, for cron, debugging and "sync now" from a shell). ``--until-clean`` keeps pushing, honouring
retry delays, until the account has no dirty listing left or ``--deadline`` seconds passed.
"""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError

from channels_app.intake.polling import account_orders_sync
from channels_app.models import ChannelAccount
from channels_app.push.run import account_push_dirty
from channels_app.reconcile.quantities import account_reconcile
from channels_app.selectors.state import account_dirty_count
from channels_app.services.onboarding import account_listings_import


class Command(BaseCommand):
    help = "Run sync steps for one channel account now."

    def add_arguments(self, parser):
        parser.add_argument("--account", type=int, required=True)
        parser.add_argument("--import-listings", action="store_true")
        parser.add_argument("--orders", action="store_true")
        parser.add_argument("--push", action="store_true")
        parser.add_argument("--reconcile", action="store_true")
        parser.add_argument("--until-clean", action="store_true")
        parser.add_argument("--deadline", type=float, default=60.0)

    def handle(self, *args, **options):
        account = ChannelAccount.objects.filter(pk=options["account"]).first()
        if account is None:
            raise CommandError(f"No channel account {options['account']}")
        report: dict = {}
        if options["import_listings"]:
            report["import"] = account_listings_import(account=account)
        if options["orders"]:
            report["orders"] = account_orders_sync(account_id=account.pk)
        if options["push"]:
            deadline = time.monotonic() + options["deadline"]
            pushed = 0
            while True:
                summary = account_push_dirty(account_id=account.pk, follow_up=not options["until_clean"])
                pushed += summary.pushed
                left = account_dirty_count(account=account)
                if not options["until_clean"] or not left or time.monotonic() > deadline:
                    break
                time.sleep(min(max(summary.retry_in or 0.2, 0.05), 5.0))
            report["push"] = {"pushed": pushed, "dirty_left": left}
        if options["reconcile"]:
            report["reconcile"] = account_reconcile(account_id=account.pk)
        self.stdout.write(json.dumps(report))
        if options["push"] and options["until_clean"] and report["push"]["dirty_left"]:
            raise CommandError(f"{report['push']['dirty_left']} listing(s) still dirty")
