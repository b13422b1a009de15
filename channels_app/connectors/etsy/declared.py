"""The Etsy account's credentials and options, as data (``connectors.options``)."""

from __future__ import annotations

from channels_app.connectors.options import Credential, Option

CONNECT_URL = "https://www.etsy.com/oauth/connect"

CREDENTIALS = (
    Credential("keystring", "The app's keystring (Your Apps > your app); the OAuth client_id.", secret=False),
    Credential("shared_secret", "The app's shared secret; sent as x-api-key keystring:shared_secret."),
)

OPTIONS = (
    Option("shop_id", "str", "The shop's numeric id (required)."),
    Option(
        "redirect_uri",
        "str",
        "The callback URL registered on the Etsy app, exactly (required to connect):"
        " https://<your host>/admin/channels_app/channelaccount/connect/callback/.",
    ),
    Option("connect_url", "str", "Etsy's consent page.", default=CONNECT_URL),
    Option("page_size", "int", "Listings and receipts per page (1-100).", default=100),
    Option(
        "budget_reserve",
        "int",
        "Calls of the day kept for order polls, fulfilments and token refreshes: quantity pushes never"
        " spend them.",
        default=300,
    ),
    Option(
        "last_units",
        "int",
        "A drop to this many units or fewer counts as urgent (sent right after drops to zero).",
        default=2,
    ),
    Option(
        "deactivate_at_zero",
        "bool",
        "When every product of a listing must show 0 (Etsy refuses an all-zero inventory), deactivate"
        " the listing, and activate it again when stock returns.",
        default=True,
    ),
)
