"""BigCommerce: REST v3 catalog, inventory and hooks, v2 orders (research: docs/vendors/bigcommerce.md).

Protocol, as BigCommerce documents it (sources and our choices in README.md):

* Base ``https://<api_host>/stores/<store_hash>/``, then ``v3/...`` or ``v2/...``; every request
  carries ``X-Auth-Token: <access token>`` and ``Accept: application/json`` (bodies
  ``Content-Type: application/json``).
* Errors: v3 ``{"status", "title", "type", "errors"?}`` (inventory 422s as
  ``application/problem+json``); v2 a JSON array ``[{"status", "message"}]``; an empty v2
  collection is ``204 No Content``.
* Rate limit: one quota per store shared by every app, refreshed every 30 s; every answer carries
  ``X-Rate-Limit-Requests-Left``, ``X-Rate-Limit-Time-Reset-Ms`` (ms until the refresh),
  ``X-Rate-Limit-Requests-Quota``, ``X-Rate-Limit-Time-Window-Ms``; past it 429 (same headers). A
  429 without them is platform load (``client.QuotaPacer``).
* Pagination: v3 ``page``/``limit`` with ``meta.pagination`` (``current_page``, ``total_pages``);
  v2 ``page``/``limit`` without meta (a short page or 204 ends it).
* Webhooks: ``/v3/hooks`` (scope, destination, is_active, headers); thin deliveries
  ``{"scope", "store_id", "data": {"type": "order", "id"}, "hash", "created_at", "producer"}``
  carrying the headers we set on the hook and Standard Webhooks ``webhook-id``,
  ``webhook-timestamp``, ``webhook-signature`` (``v1,<base64 HMAC-SHA256 of
  "id.timestamp.body" keyed with the API account's client secret>``). A hook whose deliveries
  keep failing is deactivated (``is_active`` false).
"""
