"""Shared test data: stock received at known FIFO costs, orders shipped, mappings set."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

from django.utils import timezone

from accounting_app.models import AccountingConnection
from accounting_app.services.connections import (
    account_mapping_set,
    connection_authorize_complete,
    connection_authorize_start,
    connection_create,
    tax_mapping_set,
)
from inventory_app.services.orders import OrderInput, OrderLineInput, order_create, order_ship
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SalesChannelFactory, SKUFactory

REDIRECT_URI = "https://stock.example.com/admin/accounting_app/accountingconnection/oauth/callback/"

XERO_ACCOUNTS = {
    "sales_income": "200",
    "shipping_income": "203",
    "discounts": "480",
    "tax": "820",
    "cogs": "310",
    "inventory_asset": "630",
    "inventory_adjustment": "478",
    "accounts_payable": "800",
    "deposit": "090",
}

QBO_ACCOUNTS = {
    "sales_income": "1",
    "shipping_income": "2",
    "tax": "3",
    "discounts": "86",
    "cogs": "30",
    "inventory_asset": "81",
    "inventory_adjustment": "60",
    "accounts_payable": "33",
    "deposit": "35",
}


# Tax codes that add no tax (the channel's tax is its own line; bills are ledger values).
NO_TAX = {"xero": {"sales": "NONE", "purchases": "NONE"}, "quickbooks": {"sales": "NON", "purchases": "NON"}}


def connection_make(
    *, kind: str, fake, accounts: dict[str, str], taxes: dict[str, str] | None = None, **options
) -> AccountingConnection:
    """A connection pointing at the fake, with every role mapped and, unless ``taxes`` says
    otherwise, tax codes that add no tax (not connected yet)."""
    connection = connection_create(
        kind=kind,
        name=f"Books ({kind})",
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        export_from=date(2020, 1, 1),
        api_base_url=fake.base_url,
        auth_base_url=fake.authorize_url,
        token_url=fake.token_url,
        **options,
    )
    for role, code in accounts.items():
        account_mapping_set(connection=connection, role=role, external_code=code)
    for tax_kind, code in (NO_TAX[kind] if taxes is None else taxes).items():
        tax_mapping_set(connection=connection, kind=tax_kind, external_code=code)
    return connection


def connect(connection: AccountingConnection, fake) -> AccountingConnection:
    """Run the real connect flow: consent URL -> the fake's consent -> our callback service."""
    url = connection_authorize_start(connection=connection, redirect_uri=REDIRECT_URI)
    callback = dict(parse_qsl(urlsplit(fake.consent(url)).query))
    return connection_authorize_complete(
        connection_id=connection.pk, callback=callback, redirect_uri=REDIRECT_URI
    )


class Shop:
    """Two SKUs with FIFO layers and two shipped orders on one channel.

    SKU A: 10 @ 2.00 then 10 @ 3.00; SKU B: 5 @ 7.50.
    Order 1001: 12 A @ 10.00, 1 B @ 20.00, shipping 5.00, discount 4.00, tax 14.00 -> 155.00;
      FIFO COGS: A 10 x 2.00 + 2 x 3.00 = 26.00, B 7.50 -> 33.50.
    Order 1002: 3 A @ 10.00 -> 30.00; COGS 3 x 3.00 = 9.00.
    """

    def __init__(self) -> None:
        self.channel = SalesChannelFactory(code="shop", name="Shopify")
        self.location = LocationFactory()
        self.a = SKUFactory(code="A-RED")
        self.b = SKUFactory(code="B-BLUE")
        stock_receive(sku=self.a, location=self.location, quantity=10, unit_cost=Decimal("2.00"))
        stock_receive(sku=self.a, location=self.location, quantity=10, unit_cost=Decimal("3.00"))
        stock_receive(sku=self.b, location=self.location, quantity=5, unit_cost=Decimal("7.50"))
        self.order1 = self.sell(
            "1001",
            [
                OrderLineInput("A-RED", 12, Decimal("10.00"), "Red"),
                OrderLineInput("B-BLUE", 1, Decimal("20.00"), "Blue"),
            ],
            shipping=Decimal("5.00"),
            discount=Decimal("4.00"),
            tax=Decimal("14.00"),
            email="ann@example.com",
        )
        self.order2 = self.sell(
            "1002", [OrderLineInput("A-RED", 3, Decimal("10.00"), "Red")], email="bob@example.com"
        )
        self.today = timezone.localdate()

    def receive_po(self):
        """PO: 4 A @ 2.50 (10.00) + 2 B @ 8.00 (16.00), freight 13.00 by value -> bill total 39.00."""
        from inventory_app.models import Supplier
        from inventory_app.services.purchasing.landed_cost import ChargeInput
        from inventory_app.services.purchasing.orders import (
            PurchaseLineInput,
            purchase_order_create,
            purchase_order_send,
            supplier_create,
        )
        from inventory_app.services.purchasing.receiving import purchase_order_receive

        supplier = Supplier.objects.filter(code="acme").first() or supplier_create(
            code="acme", name="Acme Supplies", email="sales@acme.example"
        )
        po = purchase_order_create(
            supplier=supplier,
            lines=[
                PurchaseLineInput(sku_id=self.a.pk, quantity=4, unit_cost=Decimal("2.50")),
                PurchaseLineInput(sku_id=self.b.pk, quantity=2, unit_cost=Decimal("8.00")),
            ],
            location=self.location,
        )
        purchase_order_send(purchase_order=po)
        lines = {line.sku_id: line.pk for line in po.lines.all()}
        return purchase_order_receive(
            purchase_order=po,
            location=self.location,
            quantities={lines[self.a.pk]: 4, lines[self.b.pk]: 2},
            charges=[ChargeInput(kind="freight", amount=Decimal("13.00"), basis="value")],
        )

    def return_units(self, order, sku_code: str, quantity: int):
        """The customer sends ``quantity`` units of a line back; they are restocked."""
        from inventory_app.services.returns import (
            ReturnLineInput,
            ReturnReceiveInput,
            return_authorization_create,
            return_receive,
        )

        line = order.lines.get(sku__code=sku_code)
        rma = return_authorization_create(
            order=order, lines=[ReturnLineInput(order_line_id=line.pk, quantity=quantity, reason="unwanted")]
        )
        return return_receive(
            authorization=rma,
            items=[
                ReturnReceiveInput(
                    return_line_id=rma.lines.get().pk,
                    quantity=quantity,
                    disposition="restock",
                    location_id=self.location.pk,
                )
            ],
        )

    def sell(self, ref, lines, *, shipping=Decimal("0"), discount=Decimal("0"), tax=Decimal("0"), email=""):
        subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
        data = OrderInput(
            external_ref=ref,
            lines=lines,
            customer_name=f"Customer {ref}",
            customer_email=email,
            subtotal=subtotal,
            shipping_total=shipping,
            discount_total=discount,
            tax_total=tax,
            total=subtotal + shipping + tax - discount,
        )
        order, _ = order_create(channel=self.channel, data=data)
        order_ship(order=order)
        order.refresh_from_db()
        return order


__all__ = ["QBO_ACCOUNTS", "XERO_ACCOUNTS", "Shop", "connect", "connection_make", "tax_mapping_set"]
