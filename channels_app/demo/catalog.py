"""The demo catalog and the fakes' credentials (plain data: the fake-store processes import it
without Django)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoItem:
    """One SKU of the demo catalog: code, name and units received per location code."""

    code: str
    name: str
    stock: tuple[tuple[str, int], ...] = ()


DEMO_LOCATIONS = (("MAIN", "Main warehouse", 10), ("SHOP", "Shop back room", 20))
DEMO_ITEMS = (
    DemoItem("SHEET-Q", "Linen sheet, queen", (("MAIN", 8), ("SHOP", 2))),
    DemoItem("SHEET-K", "Linen sheet, king", (("MAIN", 3),)),
    DemoItem("PILLOW", "Linen pillowcase", (("MAIN", 12), ("SHOP", 4))),
    DemoItem("TBL-1", "Linen tablecloth (the last one)", (("SHOP", 1),)),
)
# A kit holds no stock: its availability follows its components.
DEMO_KIT = DemoItem("BED-SET-Q", "Bed set, queen (1 sheet + 2 pillowcases)")
DEMO_KIT_COMPONENTS = (("SHEET-Q", 1), ("PILLOW", 2))
DEMO_SKUS = (*(item.code for item in DEMO_ITEMS), DEMO_KIT.code)

# Credentials of the fakes (config/sandbox/*: their defaults); nothing real.
# Shopify: a Dev Dashboard app on the seller's own store (client credentials grant), the way a
# seller connects a store today.
SHOPIFY_CLIENT_ID = "fake_client_id"
SHOPIFY_SECRET = "fake_client_secret"  # noqa: S105 - the fake's
AMAZON = {
    "client_id": "amzn1.application-oa2-client.fake",
    "client_secret": "fake-client-secret",
    "refresh_token": "Atzr|fake-refresh-token",
    "seller_id": "A2FAKESELLER01",
    "marketplace_id": "ATVPDKIKX0DER",
    # The fake SQS queue the fake Amazon delivers ORDER_CHANGE notifications to.
    "aws_access_key_id": "AKIAFAKEDEMOSQS00001",
    "aws_secret_access_key": "fake-demo-sqs-secret",
    "aws_region": "us-east-1",
    "sqs_queue_name": "demo-order-change",
}
