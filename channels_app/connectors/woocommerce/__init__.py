"""WooCommerce (REST API v3, ``/wp-json/wc/v3``): the protocol this connector speaks.

* Auth: consumer key + secret (WooCommerce > Settings > Advanced > REST API, Read/Write), sent as
  HTTP Basic over HTTPS, or as the documented ``consumer_key``/``consumer_secret`` query
  parameters for hosts that drop the Authorization header (option ``auth_mode``). Never over plain
  HTTP to a non-loopback host (WooCommerce would want OAuth 1.0a there; we refuse instead).
* Errors: ``{"code", "message", "data": {"status"}}``.
* Paging: ``page`` + ``per_page`` (1..100), answers carry ``X-WP-Total``, ``X-WP-TotalPages`` and
  ``Link`` (rel next/prev).
* Listings: ``GET products`` and ``GET products/{id}/variations`` (``sku``, ``manage_stock``,
  ``stock_quantity``). Quantities: ``POST products/batch`` and
  ``POST products/{id}/variations/batch``, at most 100 objects (413
  ``woocommerce_rest_request_entity_too_large`` above). No compare-and-set.
* Orders: webhooks ``order.created|updated|deleted|restored`` (``POST webhooks``), signed with
  ``X-WC-Webhook-Signature`` = base64 HMAC-SHA256 of the raw body keyed with the hook's secret;
  ``X-WC-Webhook-Delivery-ID`` per delivery; an unsigned ``webhook_id=<id>`` ping when a hook is
  saved; a hook is ``disabled`` after repeated failed deliveries. Polls:
  ``GET orders?modified_after=..&dates_are_gmt=true``.
* Fulfilment: ``PUT orders/{id}`` ``{"status": "completed"}``, ``POST orders/{id}/notes``
  (customer note), and ``wc-shipment-tracking/v3`` when the Shipment Tracking extension answers.
"""
