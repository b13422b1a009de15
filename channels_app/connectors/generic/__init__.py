"""The generic channel: a small documented JSON + HMAC protocol, used by tests and benchmarks.

It is a real connector (kind ``generic``) for any shop that implements this protocol, and the
reference the fake server in ``config/sandbox/generic_channel.py`` speaks. All paths are relative to
the account's base URL; every request carries ``Authorization: Bearer <api_key>``.

``GET orders?updated_since=<ISO 8601>&cursor=<c>&limit=<n>``
    ``{"orders": [Order], "next_cursor": str | null}``, orders with ``updated_at >= updated_since``
    in (updated_at, id) order.
``GET listings?cursor=<c>&limit=<n>``
    ``{"listings": [{"id", "sku", "title", "quantity", "product_id"}], "next_cursor": str | null}``
``POST quantities/read`` ``{"ids": [id]}``
    ``{"quantities": {id: int}}`` (unknown ids are left out)
``POST quantities`` ``{"updates": [{"id", "quantity", "expected"?, "key"}] | [{"id", "delta", "key"}]}``
    ``{"results": [{"id", "status": "ok" | "stale" | "not_found", "quantity": int}]}``; with
    ``expected`` the write happens only if the current quantity equals it (else ``stale``); a
    ``key`` already applied is answered ``ok`` again without applying twice.
``POST fulfilments`` ``{"order_id", "lines": {line_id: qty}, "carrier", "tracking_number", "tracking_url",
    "key"?}``; a ``key`` already applied is answered ``ok`` again without recording it twice.

An Order is ``{"id", "status": "open" | "cancelled" | "fulfilled", "created_at", "updated_at",
"paid", "currency", "total", "customer": {"name", "email"}, "shipping_address": {}, "lines":
[{"id", "listing_id", "sku", "title", "quantity", "price", "fulfilled", "cancelled"}]}`` - always
the whole order, so events can be applied in any order.

Webhooks are POSTed to the account's URL with headers ``X-Channel-Event-Id``,
``X-Channel-Topic`` (``order.created``, ``order.updated``, ``order.paid``, ``order.cancelled``,
``order.fulfilled``) and ``X-Channel-Signature: sha256=<hex HMAC-SHA256 of the raw body with the
webhook secret>``; the body is ``{"event_id", "topic", "order": Order}``.

Errors: 401 bad key, 429 with Retry-After, 5xx transient. Credentials and options: declared on
``GenericConnector`` (their table is in this package's README).
"""
