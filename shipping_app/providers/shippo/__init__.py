"""Shippo (``https://api.goshippo.com``): rate a parcel, buy a label, track it by webhook.

Facts used (docs.goshippo.com API reference; goshippo SDK docs): ``Authorization: ShippoToken
<token>`` (and the ``SHIPPO-API-VERSION`` header, 2018-02-08); POST /shipments with
``address_from``, ``address_to``, ``parcels`` and ``async: false`` answers with ``rates``
(``object_id``, ``amount``, ``currency``, ``provider``, ``servicelevel {name, token}``,
``estimated_days``); POST /transactions with ``rate``, ``label_file_type``, ``async: false`` buys
the label and answers ``status`` (SUCCESS/ERROR/QUEUED/WAITING), ``tracking_number``,
``tracking_url_provider``, ``label_url``, ``messages``; GET /transactions filters by ``rate`` and
pages with ``page``/``results`` (max 100), answering ``{count, next, previous, results}``; rate
limits are per endpoint and minute and exceeding one answers 429; tracking webhooks POST
``{"event": "track_updated", "data": {tracking_number, carrier, tracking_status {status,
status_details, status_date}, transaction, ...}}`` with statuses UNKNOWN, PRE_TRANSIT, TRANSIT,
DELIVERED, RETURNED, FAILURE. The classic transactions endpoint takes no idempotency key, so
"never buy twice" is enforced on our side (``services.labels``) with a lookup by rate.
"""
