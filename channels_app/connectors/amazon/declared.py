"""The Amazon account's credentials and options, as data (``connectors.options``)."""

from __future__ import annotations

from channels_app.connectors.options import Credential, Option

CREDENTIALS = (
    Credential("client_id", "LWA client id of the SP-API application.", secret=False),
    Credential("client_secret", "LWA client secret of the SP-API application."),
    Credential("refresh_token", "The seller's LWA refresh token (from authorising the application)."),
    Credential("aws_access_key_id", "Access key id of the IAM user reading the SQS queue.", secret=False),
    Credential("aws_secret_access_key", "Secret access key of that IAM user."),
    Credential("aws_region", "AWS region of the SQS queue (e.g. us-east-1).", secret=False),
)

OPTIONS = (
    Option("seller_id", "str", "The seller's merchant token (required)."),
    Option(
        "marketplace_ids", "list", "Marketplace ids the account sells on (required; one string or a list)."
    ),
    Option("region", "str", "SP-API region.", default="na", choices=("na", "eu", "fe")),
    Option("sandbox", "bool", "Use the SP-API sandbox endpoints.", default=False),
    Option("lwa_url", "str", "Login with Amazon token URL, when not the region's own."),
    Option(
        "throttle_max_wait", "float", "Longest wait (s) for an operation's usage plan token.", default=30.0
    ),
    Option("orders_page_size", "int", "Orders per getOrders page (1-100).", default=20),
    Option("initial_lookback_days", "float", "Days of orders the first poll reads.", default=30),
    Option("patch_max", "int", "patchListingsItem calls per push batch (urgent decreases).", default=5),
    Option(
        "feed_min",
        "int",
        "Calm items (no oversell risk before a feed would land) from which a push sends them by "
        "JSON_LISTINGS_FEED; items at risk are always patched, most urgent first.",
        default=500,
    ),
    Option("feed_poll_seconds", "float", "Seconds between checks of a submitted feed.", default=60.0),
    Option(
        "report_wait_seconds", "float", "Longest wait (s) for a listings report in one call.", default=30.0
    ),
    Option("report_poll_seconds", "float", "Seconds between checks of a requested report.", default=5.0),
    Option("report_timeout_seconds", "float", "Give up on a report after this many seconds.", default=3600.0),
    Option("sqs_queue_url", "str", "URL of the SQS queue of ORDER_CHANGE notifications (enables them)."),
    Option("sqs_visibility_timeout", "int", "Seconds a received message stays hidden.", default=30),
    Option(
        "authorized_on",
        "date",
        "Day the seller last authorised (or re-authorised) a public application; Amazon asks for it every"
        " 365 days and the alerts warn before. Empty for a private, self-authorised application.",
    ),
)
