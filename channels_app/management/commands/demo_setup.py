"""``manage.py demo_setup --shopify-url URL --amazon-url URL [--amazon-sqs-port N] --web-url URL``:
the sandbox's catalog and channel accounts on the fake stores (``make run DEMO=1`` runs it once the
fakes are up; with the fake Amazon's queue port, the Amazon account consumes its ORDER_CHANGE
notifications)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from channels_app.demo.fakes import sqs_queue_url
from channels_app.services.demo import DemoError, demo_setup


class Command(BaseCommand):
    """Load the demo catalog, link the fake Shopify and Amazon stores, register Shopify's webhooks."""

    help = "Set up the DEMO sandbox on the fake Shopify and Amazon stores (needs DEMO=1)."

    def add_arguments(self, parser):
        parser.add_argument("--shopify-url", required=True, help="the fake Shopify, http://127.0.0.1:PORT")
        parser.add_argument("--amazon-url", required=True, help="the fake Amazon, http://127.0.0.1:PORT")
        parser.add_argument(
            "--amazon-sqs-port",
            type=int,
            default=0,
            help="the fake Amazon's ORDER_CHANGE queue (0: poll only)",
        )
        parser.add_argument("--web-url", required=True, help="our web server, for Shopify's webhooks")
        parser.add_argument(
            "--store",
            action="append",
            default=[],
            metavar="NAME=URL",
            help="an optional demo store (channels_app.demo.stores) and its fake's root URL; repeatable",
        )
        parser.add_argument("--wait", type=float, default=30.0, help="seconds to wait for the fakes")

    def handle(self, *args, **options):
        if not settings.DEMO:
            raise CommandError("demo_setup only runs with DEMO=1 (it links loopback fake stores)")
        stores = {}
        for value in options["store"]:
            name, sep, url = value.partition("=")
            if not sep or not name or not url:
                raise CommandError(f"--store expects NAME=URL, got {value!r}")
            stores[name] = url
        try:
            result = demo_setup(
                shopify_url=options["shopify_url"],
                amazon_url=options["amazon_url"],
                amazon_sqs_url=sqs_queue_url(port=options["amazon_sqs_port"])
                if options["amazon_sqs_port"]
                else "",
                web_url=options["web_url"],
                stores=stores,
                wait=options["wait"],
            )
        except (DemoError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        for store, info in result.items():
            self.stdout.write(
                f"{store}: account {info['account_id']}, {info['imported']} listings, {info['linked']} linked"
            )
        self.stdout.write(
            "Demo ready: buy on a fake store at /demo/ or with "
            "`manage.py demo_buy --store shopify --sku TBL-1 --qty 1`, "
            "then watch the other store in the admin."
        )
