"""The Magento account's credentials (per auth mode) and options, as data (``connectors.options``)."""

from __future__ import annotations

from channels_app.connectors.options import Credential, Option

CREDENTIALS = (
    Credential("consumer_key", "The integration's Consumer Key.", modes=("oauth",)),
    Credential("consumer_secret", "The integration's Consumer Secret.", modes=("oauth",)),
    Credential("access_token", "The integration's Access Token.", modes=("oauth", "bearer")),
    Credential("access_token_secret", "The integration's Access Token Secret.", modes=("oauth",)),
)

OPTIONS = (
    Option(
        "auth",
        "str",
        "oauth: sign every request with OAuth 1.0a HMAC-SHA256 (works on every 2.4 store); bearer:"
        " send the access token alone (2.4.4+ only with the store's bearer setting on).",
        default="oauth",
        choices=("oauth", "bearer"),
    ),
    Option("store_code", "str", "Store view code in /rest/<store code>/V1.", default="default"),
    Option(
        "source_code",
        "str",
        "MSI source receiving our figure; without it (and without location_map) the store must have"
        " one enabled source (single-source stores: default).",
    ),
    Option(
        "location_map",
        "dict",
        "{our location code: Magento source code}; every entry must name the same source.",
    ),
    Option(
        "stock_id", "int", "MSI stock whose salable quantity we drive; default: the one linking the source."
    ),
    Option(
        "input_limiting",
        "bool",
        "The store enables Web API input limits (Stores > Configuration > Services > Web API Input Limits).",
        default=False,
    ),
    Option(
        "input_limit", "int", "Source items per synchronous request when input limiting is on.", default=20
    ),
    Option(
        "sync_batch", "int", "Source items per synchronous request when input limiting is off.", default=100
    ),
    Option(
        "bulk",
        "bool",
        "Push through the asynchronous bulk endpoint (needs the store's async.operations.all consumer).",
        default=False,
    ),
    Option(
        "bulk_batch", "int", "Source items per bulk request (split in bodies of input_limit).", default=10000
    ),
    Option("page_size", "int", "Products or orders per page (at most 300).", default=100),
    Option(
        "carrier_codes",
        "dict",
        "{our carrier name: Magento carrier_code}; others are sent as custom.",
        default={},
    ),
)
