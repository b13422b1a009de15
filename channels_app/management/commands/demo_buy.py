"""``manage.py demo_buy --store shopify|amazon --sku TBL-1 --qty 1``: a buyer orders on a demo fake store."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from channels_app.services.demo import DemoError, demo_buy


class Command(BaseCommand):
    """Place a buyer's order on the fake Shopify or Amazon store of the DEMO sandbox."""

    help = "Order a demo SKU on the fake Shopify or Amazon store (make run DEMO=1)."

    def add_arguments(self, parser):
        parser.add_argument("--store", required=True, choices=("shopify", "amazon"))
        parser.add_argument("--sku", required=True)
        parser.add_argument("--qty", type=int, default=1)

    def handle(self, *args, **options):
        try:
            order_id = demo_buy(store=options["store"], sku=options["sku"], quantity=options["qty"])
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        store, qty, sku = options["store"], options["qty"], options["sku"]
        self.stdout.write(f"{store}: order {order_id} placed for {qty} x {sku}")
