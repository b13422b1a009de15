"""The Shopify account's credentials (per auth mode) and options, as data (``connectors.options``)."""

from __future__ import annotations

from channels_app.connectors.options import Credential, Option
from channels_app.connectors.shopify.auth import MODES
from channels_app.connectors.shopify.versions import DEFAULT_API_VERSION

CREDENTIALS = (
    Credential("access_token", "Admin API access token of a legacy custom app.", modes=("access_token",)),
    Credential(
        "webhook_secret", "API secret key of a legacy custom app (signs webhooks).", modes=("access_token",)
    ),
    Credential(
        "client_id",
        "Client ID of the Dev Dashboard app.",
        secret=False,
        modes=("client_credentials", "authorization_code"),
    ),
    Credential(
        "client_secret",
        "Client secret of the Dev Dashboard app (signs webhooks).",
        modes=("client_credentials", "authorization_code"),
    ),
)

OPTIONS = (
    Option(
        "auth",
        "str",
        "How the account authenticates; default access_token when the credentials hold one, else"
        " client_credentials.",
        choices=MODES,
    ),
    Option("shop_domain", "str", "The shop's <name>.myshopify.com when the base URL's host is not it."),
    Option("api_version", "str", "Admin API version.", default=DEFAULT_API_VERSION),
    Option(
        "location_id",
        "str",
        "Shopify location (gid://shopify/Location/<n> or <n>) receiving our figure; without it the"
        " shop must have exactly one active location.",
    ),
    Option(
        "location_map",
        "dict",
        "{our location code: Shopify location}; every entry must name the same Shopify location.",
    ),
    Option("page_size", "int", "Listings per page (1-150).", default=100),
    Option("orders_page_size", "int", "Orders per page (1-25).", default=10),
    Option(
        "throttle_wait_seconds",
        "float",
        "Longest pause the client takes itself before a throttled call; longer waits go to the engine.",
        default=2.0,
    ),
    Option("notify_customer", "bool", "Fulfilments and cancellations email the buyer.", default=True),
)
