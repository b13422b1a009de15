"""Fixtures of the Amazon connector's tests: the fake SP-API on 127.0.0.1 (its clock starting now,
frozen), Amazon accounts on it, listings linked to SKUs, and a check that every request the
connector sent is valid against Amazon's models (when ../shared/specs is present)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import channels_app.connectors.amazon.connector  # noqa: F401  (registers kind "amazon")
from channels_app.models import ChannelAccount, Listing
from channels_app.services.accounts import account_connector, account_create
from config.sandbox.amazon import FakeAmazon, FakeClock, FakeConfig
from config.sandbox.amazon import specs as amazon_specs
from inventory_app.models import SKU

MODEL_OF = {
    "getOrders": "orders",
    "getOrder": "orders",
    "getOrderItems": "orders",
    "confirmShipment": "orders",
    "getListingsItem": "listings",
    "patchListingsItem": "listings",
    "createFeedDocument": "feeds",
    "createFeed": "feeds",
    "getFeed": "feeds",
    "getFeedDocument": "feeds",
}


def requests_validate(fake: FakeAmazon) -> int:
    """Validate every SP-API request the fake received against Amazon's models; return how many."""
    checked = 0
    for request in fake.requests:
        model = MODEL_OF.get(request["operation"])
        if model is None:
            continue
        amazon_specs.model(model).validate_request(
            request["operation"], query=request["query"], body=request["body"]
        )
        checked += 1
    return checked


@pytest.fixture
def fake_factory():
    """Start fake Amazons (clock at the real current time, frozen unless ``frozen=False``);
    validate the requests they received at the end."""
    started: list[FakeAmazon] = []

    def make(*, frozen: bool = True, **config) -> FakeAmazon:
        clock = FakeClock(datetime.now(UTC), frozen=frozen)
        fake = FakeAmazon(config=FakeConfig(**config), clock=clock).start()
        started.append(fake)
        return fake

    yield make
    try:
        for fake in started:
            assert fake.errors == [], fake.errors
            if amazon_specs.specs_dir() is not None:
                requests_validate(fake)
    finally:
        for fake in started:
            fake.stop()


@pytest.fixture
def amazon(fake_factory) -> FakeAmazon:
    """One fake Amazon seller account with default settings."""
    return fake_factory()


@pytest.fixture
def connect():
    """Create an Amazon channel account on a fake (not scheduled)."""

    def make(fake: FakeAmazon, name: str = "Amazon US", **options) -> ChannelAccount:
        creds = fake.credentials()
        return account_create(
            kind="amazon",
            name=name,
            base_url=creds["endpoint"],
            credentials={
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
                "refresh_token": creds["refresh_token"],
            },
            options={
                "seller_id": creds["seller_id"],
                "marketplace_ids": creds["marketplace_ids"],
                "lwa_url": creds["lwa_url"],
                **options,
            },
            schedule=False,
        )

    return make


@pytest.fixture
def link():
    """Read a SKU's listing from Amazon (getListingsItem) and store it linked to our SKU."""

    def make(account: ChannelAccount, sku: SKU, *, pushed: int | None = None) -> Listing:
        dto = account_connector(account=account).listing_fetch(sku=sku.code)
        assert dto is not None
        return Listing.objects.create(
            account=account,
            external_id=dto.external_id,
            external_sku=dto.sku_code,
            external_product_id=dto.external_product_id,
            title=dto.title,
            push_enabled=dto.push_enabled,
            extra=dict(dto.extra),
            sku=sku,
            last_seen_qty=dto.quantity,
            last_pushed_qty=pushed,
        )

    return make


@pytest.fixture
def sqs(amazon):
    """A fake SQS queue on the fake Amazon's clock, subscribed to its ORDER_CHANGE notifications."""
    from config.sandbox.amazon.sqs import FakeSqs

    queue = FakeSqs(now=amazon.clock.now).start()
    amazon.notifications_attach(queue)
    yield queue
    queue.stop()


@pytest.fixture
def connect_sqs(connect):
    """Create an Amazon account on a fake that also reads the fake SQS queue ``sqs``."""
    from channels_app.services.accounts import account_credentials_set

    def make(fake: FakeAmazon, sqs, name: str = "Amazon US", **options) -> ChannelAccount:
        queue = sqs.credentials()
        account = connect(fake, name, sqs_queue_url=queue["sqs_queue_url"], **options)
        creds = fake.credentials()
        account_credentials_set(
            account=account,
            credentials={
                **{key: creds[key] for key in ("client_id", "client_secret", "refresh_token")},
                **{key: queue[key] for key in ("aws_access_key_id", "aws_secret_access_key", "aws_region")},
            },
        )
        return account

    return make
