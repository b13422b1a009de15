"""Amazon Selling Partner API connector (kind ``amazon``).

Modules: ``endpoints`` (regions, sandbox, Login with Amazon hosts), ``throttle`` (per-operation
usage plans), ``client`` (raw HTTP: LWA tokens, timeouts, 403/429 handling), ``mapping`` (pure
functions from SP-API JSON to the engine's DTOs), ``feeds`` (JSON_LISTINGS_FEED documents, feed
tracking and processing reports) and ``connector`` (the engine's interface).

There is no ``webhooks`` module: Amazon has no HTTP webhooks. Its notifications
(ORDER_CHANGE and others) go to Amazon SQS or EventBridge, so orders are taken in by polling
getOrders (``orders_fetch_changed``); ``webhook_verify`` / ``webhook_parse`` refuse every
delivery.
"""
