"""The fixture data the API fuzz test runs against: a manager token and a little of everything,
and the id of an existing row for an operation's path (so that examples reach real objects)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import Resolver404, resolve

from accounting_app.services.connections import connection_create
from channels_app.models import Listing
from channels_app.services.accounts import account_create
from inventory_app.models import Order, SalesChannel
from inventory_app.services.events.endpoints import webhook_endpoint_create
from inventory_app.services.events.publish import events_publish
from inventory_app.services.orders.create import OrderInput, OrderLineInput, order_create
from inventory_app.services.purchasing.orders import PurchaseLineInput, purchase_order_create, supplier_create
from inventory_app.services.stock import stock_receive
from inventory_app.services.tokens import api_token_issue
from tests.factories import KitComponentFactory, KitFactory, LocationFactory, SKUFactory, UserFactory


def fuzz_data_make() -> str:
    """Create the data; the manager token's key. Outbound calls are refused (a private base URL)."""
    # A webhook endpoint (deliveries to it are refused: a loopback host), with deliveries.
    webhook_endpoint_create(url="https://127.0.0.1:9/hook", event_types=["availability.changed"])
    location = LocationFactory(code="WH1")
    mug, plate = SKUFactory(code="MUG"), SKUFactory(code="PLATE")
    kit = KitFactory(code="SET")
    KitComponentFactory(kit=kit, component=mug, quantity=2)
    stock_receive(sku=mug, location=location, quantity=20)
    stock_receive(sku=plate, location=location, quantity=5)
    order_create(
        channel=SalesChannel.objects.get(code="manual"),
        data=OrderInput(
            external_ref="FUZZ-1",
            lines=[OrderLineInput(sku_code="MUG", quantity=2, unit_price=Decimal("9.50"))],
            customer_email="buyer@example.com",
        ),
    )
    supplier = supplier_create(code="acme", name="Acme")
    purchase_order_create(supplier=supplier, lines=[PurchaseLineInput(sku_id=plate.pk, quantity=10)])
    account = account_create(
        kind="generic",
        name="Shop",
        base_url="https://127.0.0.1:9/",
        credentials={"api_key": "k", "webhook_secret": "s"},
        dry_run=True,
    )
    Listing.objects.create(account=account, external_id="L1", external_sku="MUG", sku=mug)
    Listing.objects.create(account=account, external_id="L2", external_sku="NOPE")
    connection_create(
        kind="xero", name="Books", client_id="id", client_secret="secret", export_from=date(2024, 1, 1)
    )
    events_publish()
    _, key = api_token_issue(user=UserFactory(role="manager"), name="fuzz")
    return key


def existing_id(path: str) -> int | None:
    """The lowest id of the rows behind ``path`` (an operation path with ``{id}``), if any."""
    try:
        match = resolve(path.replace("{id}", "1").replace("{order_id}", "1").replace("{line_id}", "1"))
    except Resolver404:
        return None
    if "{order_id}" in path:
        return Order.objects.order_by("pk").values_list("pk", flat=True).first()
    view = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    queryset = getattr(view, "queryset", None)
    if queryset is None:
        return None
    return queryset.model.objects.order_by("pk").values_list("pk", flat=True).first()
