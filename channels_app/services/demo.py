"""The sandbox of ``make run DEMO=1``: a small linens catalog linked to a fake Shopify shop and a
fake Amazon seller account (``config/sandbox``), and a buyer who orders on either of them.

:func:`demo_setup` is idempotent: a second run (same ``VAR_DIR``, new fake ports) keeps the
catalog and its stock, points the two accounts at the fakes' new addresses and pushes every
figure again. Everything goes through the core's and the sync engine's services.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import requests
from django.db import transaction

from channels_app.demo.catalog import (
    AMAZON,
    DEMO_ITEMS,
    DEMO_KIT,
    DEMO_KIT_COMPONENTS,
    DEMO_LOCATIONS,
    SHOPIFY_CLIENT_ID,
    SHOPIFY_SECRET,
)
from channels_app.demo.stores import AccountSpec, DemoStore, demo_store_get, demo_stores_all
from channels_app.models import ChannelAccount
from channels_app.services.accounts import AccountError, account_create
from channels_app.services.actions import account_update
from channels_app.services.notifications import account_notifications_consumer_request
from channels_app.services.onboarding import (
    account_go_live,
    account_listings_import,
)
from channels_app.services.polling import account_orders_sync
from channels_app.services.webhooks import account_webhooks_register
from inventory_app.models import SKU, Location
from inventory_app.services.catalog import kit_component_set, location_create, product_create, sku_create
from inventory_app.services.stock import stock_receive


class DemoError(Exception):
    """The sandbox could not be set up or a demo buy was refused (unknown store, no stock...)."""


STORE_CODES = {"shopify": "demo-shopify", "amazon": "demo-amazon"}
AMAZON_POLL_SECONDS = 30  # getOrders allows one call a minute after a burst of 20
SHOPIFY_POLL_SECONDS = 120  # webhooks carry Shopify's orders; the poll is the safety net


def demo_catalog_ensure() -> list[SKU]:
    """Create the demo locations, SKUs, kit and stock if missing (stock received once)."""
    with transaction.atomic():
        locations = {}
        for code, name, priority in DEMO_LOCATIONS:
            found = Location.objects.filter(code=code).first()
            locations[code] = found or location_create(code=code, name=name, priority=priority)
        skus = []
        for item in (*DEMO_ITEMS, DEMO_KIT):
            sku = SKU.objects.filter(code=item.code).first()
            if sku is None:
                product = product_create(name=item.name, brand="Demo linens")
                sku = sku_create(code=item.code, name=item.name, product=product, is_kit=item is DEMO_KIT)
            skus.append(sku)
        by_code = {sku.code: sku for sku in skus}
        for component, quantity in DEMO_KIT_COMPONENTS:
            kit_component_set(kit=by_code[DEMO_KIT.code], component=by_code[component], quantity=quantity)
        for item in DEMO_ITEMS:
            for location_code, quantity in item.stock:
                stock_receive(
                    sku=by_code[item.code],
                    location=locations[location_code],
                    quantity=quantity,
                    reference="demo catalog",
                    idempotency_key=f"demo:receive:{item.code}:{location_code}",
                )
    return skus


def _store_code(store: str) -> str:
    return STORE_CODES.get(store) or f"demo-{store}"


def _account(store: str) -> ChannelAccount | None:
    return ChannelAccount.objects.filter(sales_channel__code=_store_code(store)).first()


def demo_stores_linked() -> list[str]:
    """The demo stores linked to an account: shopify, amazon, then the optional ones."""
    extra = [name for name in demo_stores_all() if _account(name) is not None]
    return ["shopify", "amazon", *extra]


def _spec_of(store: DemoStore, spec: AccountSpec) -> dict:
    return {
        "name": f"Demo {store.label}",
        "base_url": spec.base_url,
        "credentials": spec.credentials,
        "options": spec.options,
        "poll_interval_seconds": spec.poll_interval_seconds,
    }


def _wait_until_up(url: str, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise DemoError(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.2)


def demo_setup(
    *,
    shopify_url: str,
    amazon_url: str,
    web_url: str,
    amazon_sqs_url: str = "",
    stores: dict[str, str] | None = None,
    wait: float = 30.0,
) -> dict[str, dict]:
    """Catalog, the channel accounts linked to the fakes, Shopify webhooks to ``web_url``.

    ``stores`` maps optional demo stores (``channels_app.demo.stores``) to their fakes' root URLs;
    each gets an account too (webhooks registered when its spec asks).

    With ``amazon_sqs_url`` (the fake Amazon's ORDER_CHANGE queue) the Amazon account consumes
    its notifications, so an Amazon sale arrives within seconds (its poll stays the safety net);
    the consumer is started at once (the stalled-work rescue keeps one running).

    Waits up to ``wait`` seconds for each fake to answer, imports and auto-links their listings,
    goes live (every linked listing is pushed by the workers), reads their orders once (so
    Amazon's increases, held until the orders are caught up, can go out) and registers
    Shopify's order webhooks. Returns, per store,
    the account id and the import counts.
    """
    shopify_url, amazon_url = shopify_url.rstrip("/"), amazon_url.rstrip("/")
    _wait_until_up(shopify_url + "/_fake/counters", timeout=wait)
    _wait_until_up(amazon_url + "/_fake/state", timeout=wait)
    extra = {name: demo_store_get(name=name) for name in (stores or {})}
    specs = {name: extra[name].account(url=url.rstrip("/")) for name, url in (stores or {}).items()}
    for url in (stores or {}).values():
        _wait_until_up(url.rstrip("/") + "/_fake/quantities", timeout=wait)
    demo_catalog_ensure()
    codes = [code for code, _, _ in DEMO_LOCATIONS]
    location_ids = list(Location.objects.filter(code__in=codes).values_list("pk", flat=True))
    wanted = {
        "shopify": {
            "name": "Demo Shopify",
            "base_url": shopify_url,
            "credentials": {"client_id": SHOPIFY_CLIENT_ID, "client_secret": SHOPIFY_SECRET},
            "options": {"auth": "client_credentials"},
            "poll_interval_seconds": SHOPIFY_POLL_SECONDS,
        },
        "amazon": {
            "name": "Demo Amazon",
            "base_url": amazon_url,
            "credentials": {
                k: AMAZON[k]
                for k in ("client_id", "client_secret", "refresh_token")
                + (("aws_access_key_id", "aws_secret_access_key", "aws_region") if amazon_sqs_url else ())
            },
            "options": {
                "seller_id": AMAZON["seller_id"],
                "marketplace_ids": [AMAZON["marketplace_id"]],
                "lwa_url": amazon_url + "/auth/o2/token",
                "patch_max": 100,  # a handful of SKUs: patched at once, no feed
                **({"sqs_queue_url": amazon_sqs_url} if amazon_sqs_url else {}),
            },
            "poll_interval_seconds": AMAZON_POLL_SECONDS,
        },
    }
    for name, spec in specs.items():
        wanted[name] = _spec_of(extra[name], spec)
    result: dict[str, dict] = {}
    for store, spec in wanted.items():
        account = _account(store)
        if account is None:
            account = account_create(
                kind=extra[store].kind if store in extra else store,
                code=_store_code(store),
                location_ids=location_ids,
                dry_run=True,
                **spec,
            )
        else:
            account = account_update(
                account=account,
                data={k: spec[k] for k in ("base_url", "options", "poll_interval_seconds")},
                credentials=spec["credentials"],
                location_ids=location_ids,
            )
        counts = account_listings_import(account=account)
        account_go_live(account=account)
        # Orders read after going live: Amazon's held increases (no compare-and-set) may go out.
        account_orders_sync(account_id=account.pk)
        result[store] = {"account_id": account.pk, **counts}
    if amazon_sqs_url:
        account_notifications_consumer_request(account_ids=[result["amazon"]["account_id"]])
    hooked = ["shopify", *(name for name, spec in specs.items() if spec.register_webhooks)]
    for store in hooked:
        try:
            result[store]["webhooks"] = account_webhooks_register(
                account_id=result[store]["account_id"], base_url=web_url
            )
        except AccountError as exc:
            raise DemoError(f"{store} webhooks not registered: {exc}") from None
    return result


def demo_store_url(*, store: str) -> str:
    """The base URL of the demo fake ``store`` (shopify, amazon or an optional demo store): its
    root, where ``/_fake/`` lives."""
    if store not in STORE_CODES and store not in demo_stores_all():
        known = ", ".join(["shopify", "amazon", *demo_stores_all()])
        raise DemoError(f"Unknown store {store!r}: one of {known}")
    account = _account(store)
    if account is None:
        raise DemoError(f"The demo store {store} is not set up: run `make run DEMO=1` (or demo_setup)")
    if store in STORE_CODES:
        return account.base_url.rstrip("/")
    parts = urlsplit(account.base_url)  # every fake serves /_fake/ at the root of its own port
    return f"{parts.scheme}://{parts.netloc}"


def demo_buy(*, store: str, sku: str, quantity: int = 1) -> str:
    """A buyer orders ``quantity`` of ``sku`` on the fake ``store``; returns the store's order id.

    Goes through the fake's ``/_fake/`` control endpoint, as a checkout on the real store would;
    the order reaches us like any other (Shopify: webhook, Amazon: its ORDER_CHANGE notification,
    else the next poll).
    """
    if quantity < 1:
        raise DemoError("quantity must be at least 1")
    url = demo_store_url(store=store)
    if store == "shopify":
        answer = requests.post(
            url + "/_fake/orders", json={"lines": [{"sku": sku, "quantity": quantity}]}, timeout=10
        )
    elif store == "amazon":
        answer = requests.post(url + "/_fake/orders", json={"sku": sku, "qty": quantity}, timeout=10)
    else:
        answer = requests.post(url + "/_fake/buy", json={"sku": sku, "quantity": quantity}, timeout=10)
    if answer.status_code == 409:
        raise DemoError(f"{store} shows no stock of {sku} for {quantity} unit(s): nothing ordered")
    if answer.status_code != 201:
        raise DemoError(f"{store} refused the order ({answer.status_code}): {answer.text[:200]}")
    body = answer.json()
    return str(body.get("order_id") or body.get("id") or body.get("name") or body.get("AmazonOrderId"))


def demo_store_quantities(*, store: str) -> dict[str, int | None]:
    """What the fake ``store`` shows a buyer now, per SKU (from its ``/_fake/`` endpoint)."""
    url = demo_store_url(store=store)
    if store == "shopify":
        rows = requests.get(url + "/_fake/inventory", timeout=10).json()
        found: dict[str, int | None] = {}
        for row in rows:
            found[row["sku"]] = found.get(row["sku"], 0) + int(row["available"])
        return found
    if store == "amazon":
        listings = requests.get(url + "/_fake/state", timeout=10).json()["listings"]
        return {sku: entry["quantity"] for sku, entry in listings.items()}
    return requests.get(url + "/_fake/quantities", timeout=10).json()
