"""Amazon Selling Partner API connector (kind ``amazon``).

Modules: ``notifications`` (the SQS queue of ORDER_CHANGE notifications: AWS Signature
Version 4, ReceiveMessage / DeleteMessageBatch), ``endpoints`` (regions, sandbox, Login with
Amazon hosts), ``throttle`` (per-operation usage plans), ``client`` (raw HTTP: LWA tokens,
timeouts, 403/429 handling), ``mapping`` (pure functions from SP-API JSON to the engine's DTOs),
``feeds`` (JSON_LISTINGS_FEED documents, feed tracking and processing reports), ``pushing``
(patch or feed, per-item outcomes), ``reports`` (the listings import: searchListingsItems pages,
then the listings report), ``shipping`` (the confirmShipment body) and ``connector`` (the
engine's interface, account options).

Listings import. searchListingsItems pages through at most 1,000 SKUs (Amazon's limit). When its
pages run out with ``numberOfResults`` at 1,000 or more, ``listings_fetch`` requests the
GET_MERCHANT_LISTINGS_ALL_DATA report (Reports API 2021-06-30: createReport, getReport until
DONE, getReportDocument, the presigned document, gzip or not) and returns every listing of its
tab-separated rows (``mapping.listings_from_report``: same listings as the search pages, FBA rows
with ``push_enabled=False``). The report is named by the cursor (``report:<reportId>:<deadline>``);
one call waits up to ``report_wait_seconds`` (30) for it, checking every ``report_poll_seconds``
(5, within getReport's usage plan of 2/s), and answers an empty page with the same cursor while it
is still processing, so the engine's import loop calls again. A report that ends FATAL or
CANCELLED, or is not DONE within ``report_timeout_seconds`` (3600), fails the import with a
ConnectorError; the listings of the search pages stay imported. Amazon usually takes minutes to
produce the report; the listings already read are imported again from it (idempotent).

Cancellations made by the seller here: the Orders API has no operation that cancels a
seller-fulfilled order (the XML order-acknowledgement feed, POST_ORDER_ACKNOWLEDGEMENT_DATA with
StatusCode "Failure", can refuse one; we do not send it), so cancelling an Amazon order here
answers the seller, and flags the order, to cancel it in Seller Central (``cancel_instructions``).

There is no ``webhooks`` module: Amazon has no HTTP webhooks (the connector is not
``ReceivesWebhooks``: the webhook route refuses every delivery). Orders come two ways:

* ORDER_CHANGE notifications (``notifications``): the SP-API Notifications API writes one to an
  Amazon SQS queue each time an order's status changes; the engine keeps one consumer per account
  long-polling that queue (``services.notifications``, task ``account_notifications_pull_task``),
  so a sale reaches every channel within about a second. getOrders allows one call a minute
  sustained, so polling alone cannot do that.
* polling getOrders (``orders_fetch_changed``), kept as the safety net: a notification that never
  arrives is caught by the next poll; both name the same order version (``mapping.order_version``)
  and the intake applies it once.

Setting up notifications (once per seller account; the SQS queue must be in the same AWS
account that the SP-API application's IAM set-up uses):

1. In AWS, create a standard SQS queue (e.g. ``stockmaster-order-change`` in us-east-1; message
   retention 4 days or more). Give it a queue policy that lets the SP-API notifications principal
   ``arn:aws:iam::437568002678:root`` ``sqs:SendMessage`` and ``sqs:GetQueueAttributes``.
2. Create an IAM user (or role keys) for this app with ``sqs:ReceiveMessage``,
   ``sqs:DeleteMessage`` and ``sqs:GetQueueAttributes`` on that queue only.
3. With the seller's authorisation (a grantless LWA token, scope
   ``sellingpartnerapi::notifications``), call the Notifications API ``createDestination`` with
   ``resourceSpecification.sqs.arn`` = the queue's ARN (once per application and queue), then,
   with the seller's own token, ``createSubscription`` for notificationType ``ORDER_CHANGE``
   (``payloadVersion`` "1.0", the ``destinationId`` returned; optionally
   ``processingDirective.eventFilter`` ``{"eventFilterType": "ORDER_CHANGE",
   "orderChangeTypes": ["OrderStatusChange"]}``). ``getSubscription`` shows it.
4. On the channel account: option ``sqs_queue_url`` (the queue URL,
   ``https://sqs.us-east-1.amazonaws.com/<aws account>/<queue>``) and credentials
   ``aws_access_key_id``, ``aws_secret_access_key``, ``aws_region`` (encrypted with the others).
   Saving the account schedules its consumer (one lost with a worker or the broker is started again
   by the stalled-work rescue within seconds; celery beat also starts it every minute).

Use one queue per channel account: a message of another seller is recorded and ignored, not
handed on. Each consumer keeps one worker process busy (a long poll is a blocking HTTP call), so
size the Celery workers with one slot per Amazon account reading notifications.

API calls of a full push of 10,000 SKUs (measured against the fake in
``tests/channels_app/connectors/amazon/test_full_push.py``): the engine hands over ``batch_max``
(2,000) listings per call, so five JSON_LISTINGS_FEEDs, each createFeedDocument + upload +
createFeed + getFeed (at least once) + getFeedDocument + report download = 6 calls, plus one LWA
token: 31 calls, plus up to ``patch_max`` (5) patchListingsItem per batch when it contains
decreases. The minimum Amazon's batch sizes allow is one feed (up to 25,000 messages): 6 calls
plus the token. Patching alone would take 10,000 patchListingsItem calls (33 minutes at 5/s).
"""
