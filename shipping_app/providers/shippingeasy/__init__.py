"""ShippingEasy (``https://app.shippingeasy.com/api``): order intake, cancellation, shipment callback.

Facts used (shippingeasy.readme.io; the official shipping_easy-ruby client's Signature,
Authenticator and Request classes): every API call carries ``api_key``, ``api_timestamp`` (Unix
seconds) and ``api_signature`` query parameters; the signature is the hex HMAC-SHA256, keyed with
the API secret, of ``METHOD&PATH&PARAMS&BODY`` - method upper-case, the path including ``/api``,
the query parameters except ``api_signature`` sorted by name and form-encoded as
``k1=v1&k2=v2``, and the JSON body if there is one. Orders are created with POST
/api/stores/<store_api_key>/orders (``external_order_identifier`` is the shop's order id; order
lines under ``recipients[].line_items[]`` with ``ext_line_item_id``); cancelled with POST
/api/stores/<store_api_key>/orders/<external_order_identifier>/cancellations; searched with GET
/api/orders (``order_number``, ``status`` - one of the order statuses ``ready_for_shipment``,
``pending_shipment``, ``shipped``, ``cleared``, default ``shipped`` -, ``last_updated_at`` as an
ISO 8601 date-time, at most 3 months back, ``page``, ``per_page`` up to 200). The duplicate check
before a create asks every one of those statuses (an order may have moved on since). An older
SDK page lists a status ``pending`` and a "2014-05-07 14:42:18 UTC" example; we follow the API
reference's statuses and ISO 8601, which the fake enforces.
The shipment callback is a POST of ``{"shipment": {id, tracking_number, carrier_key,
carrier_service_key, shipment_cost (cents), ship_date, orders: [...]}}`` signed the same way with
``api_signature`` in the query string; the client library refuses a callback whose
``api_timestamp`` is more than 10 minutes old.

Not documented, so handled defensively: the API offers no order update (an exported order is
not re-sent; its changes are left to the ShippingEasy user); whether a second create with the
same ``external_order_identifier`` is refused is not stated, so after an attempt whose outcome is
unknown the provider searches by ``order_number`` before creating again; the shape of shipments
inside GET /api/orders results (used by the poll) is assumed to be a ``shipments`` list like the
callback's shipment.
"""
