"""Amazon Selling Partner API connector (kind ``amazon``).

Modules: ``endpoints`` (regions, sandbox, Login with Amazon hosts), ``throttle`` (per-operation
usage plans), ``client`` (raw HTTP: LWA tokens, timeouts, 403/429 handling), ``mapping`` (pure
functions from SP-API JSON to the engine's DTOs), ``feeds`` (JSON_LISTINGS_FEED documents, feed
tracking and processing reports), ``pushing`` (patch or feed, per-item outcomes), ``shipping``
(the confirmShipment body) and ``connector`` (the engine's interface, account options).

There is no ``webhooks`` module: Amazon has no HTTP webhooks. Its notifications
(ORDER_CHANGE and others) go to Amazon SQS or EventBridge, so orders are taken in by polling
getOrders (``orders_fetch_changed``); ``webhook_verify`` / ``webhook_parse`` refuse every
delivery.

API calls of a full push of 10,000 SKUs (measured against the fake in
``tests/channels_app/connectors/amazon/test_full_push.py``): the engine hands over ``batch_max``
(2,000) listings per call, so five JSON_LISTINGS_FEEDs, each createFeedDocument + upload +
createFeed + getFeed (at least once) + getFeedDocument + report download = 6 calls, plus one LWA
token: 31 calls, plus up to ``patch_max`` (25) patchListingsItem per batch when it contains
decreases. The minimum Amazon's batch sizes allow is one feed (up to 25,000 messages): 6 calls
plus the token. Patching alone would take 10,000 patchListingsItem calls (33 minutes at 5/s).
"""
