"""The BigCommerce account's credentials and options, as data (``connectors.options``)."""

from __future__ import annotations

from channels_app.connectors.options import Credential, Option

# The account's base URL is the API gateway: https://api.bigcommerce.com (the API host setting).
DEFAULT_BASE_URL = "https://api.bigcommerce.com"

CREDENTIALS = (
    Credential(
        "store_hash", "The store hash: the part after /stores/ in the API account's API path.", secret=False
    ),
    Credential("access_token", "Access token of the store-level API account (sent as X-Auth-Token)."),
    Credential(
        "client_secret",
        "Client secret of the same API account: the key BigCommerce signs webhook deliveries with.",
    ),
)

OPTIONS = (
    Option(
        "location_id",
        "int",
        "BigCommerce inventory location receiving our figure; without it (and without location_map)"
        " the store's default location.",
    ),
    Option(
        "location_map",
        "dict",
        "{our location code: BigCommerce location id}; every entry must name the same BigCommerce"
        " location (the engine publishes one figure per listing).",
    ),
    Option(
        "require_signature",
        "bool",
        "Refuse deliveries without a valid Standard Webhooks signature (webhook-signature); the"
        " secret header we set on each hook is always required.",
        default=True,
    ),
    Option("orders_page_size", "int", "Orders per v2 page of a poll (1-250).", default=50),
    Option(
        "quota_wait_seconds",
        "float",
        "Longest pause the connector takes itself for the store's quota; longer waits go to the engine.",
        default=30.0,
    ),
    Option(
        "adjustment_reason", "str", "Reason sent with every absolute adjustment.", default="Stockmaster sync"
    ),
)
