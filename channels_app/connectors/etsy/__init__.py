"""Etsy Open API v3 (https://developers.etsy.com/documentation/), as this connector uses it.

Host ``https://api.etsy.com`` (``openapi.etsy.com`` is the same API); paths under
``/v3/application/``. Every request: ``x-api-key: <keystring>:<shared_secret>`` and
``Authorization: Bearer <user_id>.<token>`` (``auth``). Errors are ``{"error": "..."}``.

* Listings: ``GET /shops/{shop_id}/listings?state=&limit=&offset=&includes=Inventory`` →
  ``{"count", "results": [ShopListing]}``; ``GET /listings/batch/inventory?listing_ids=`` (≤ 100).
* Quantities: ``PUT /listings/{listing_id}/inventory`` replaces the whole inventory
  (``inventory``, ``pushing``); ``PATCH /shops/{shop_id}/listings/{listing_id}`` ``state=``.
* Orders: ``GET /shops/{shop_id}/receipts?min_last_modified=&limit=&offset=&sort_on=updated
  &sort_order=asc&was_canceled=``; fulfilment ``POST /shops/{shop_id}/receipts/{receipt_id}/tracking``.
* Rate limits: 10/s and 10,000/day per app key; answers carry ``x-limit-per-second``,
  ``x-remaining-this-second``, ``x-limit-per-day``, ``x-remaining-today``; over: 429 with
  ``retry-after`` (``budget``).
* Webhooks: for commercial-access apps only, so not used: the receipt poll stands alone.
"""
