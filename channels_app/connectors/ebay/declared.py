"""The eBay account's credentials, options, hosts and OAuth scopes, as data."""

from __future__ import annotations

from channels_app.connectors.options import Credential, Option

CONSENT_URLS = {
    "production": "https://auth.ebay.com/oauth2/authorize",
    "sandbox": "https://auth.sandbox.ebay.com/oauth2/authorize",
}
API_HOSTS = {"production": "https://api.ebay.com", "sandbox": "https://api.sandbox.ebay.com"}

# What the connector calls needs, and no more: inventory items, offers, bulk quantity updates and
# migration (sell.inventory); orders and shipping fulfilments (sell.fulfillment); the
# ORDER_CONFIRMATION subscription with the seller's token (commerce.notification.subscription).
# ``api_scope`` is the base scope every consent includes.
SCOPES = (
    "https://api.ebay.com/oauth/api_scope",
    "https://api.ebay.com/oauth/api_scope/sell.inventory",
    "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
    "https://api.ebay.com/oauth/api_scope/commerce.notification.subscription",
)
APP_SCOPE = "https://api.ebay.com/oauth/api_scope"

CREDENTIALS = (
    Credential("client_id", "App ID (Client ID) of the eBay keyset.", secret=False),
    Credential("client_secret", "Cert ID (Client Secret) of the eBay keyset."),
    Credential("ru_name", "RuName of the keyset (its Auth Accepted URL is our callback).", secret=False),
    Credential(
        "verification_token",
        "32-80 characters [A-Za-z0-9_-]: the notification destination's verification token.",
    ),
)

OPTIONS = (
    Option(
        "environment",
        "str",
        "eBay environment: its consent page (the base URL is the matching API host).",
        default="production",
        choices=("production", "sandbox"),
    ),
    Option(
        "consent_url", "str", "Consent page override (a test server); empty: the environment's.", default=""
    ),
    Option("marketplace_id", "str", "Sent as X-EBAY-C-MARKETPLACE-ID; the offers synced.", default="EBAY_US"),
    Option("orders_page_size", "int", "Orders per getOrders page (1-200).", default=200),
    Option("items_page_size", "int", "Inventory items per page (1-200).", default=100),
    Option(
        "revision_reserve",
        "int",
        "Last revisions of a listing's 250 a day kept for drops to zero and last units.",
        default=20,
    ),
    Option(
        "last_units", "int", "A figure at or below this is 'last units' (sent in the reserve).", default=2
    ),
    Option(
        "seller_user",
        "str",
        "The seller's eBay user name or user id (its account deletion notice erases this account's tokens).",
        default="",
    ),
    Option("alert_email", "str", "Notification API alert e-mail (set when registering).", default=""),
)
