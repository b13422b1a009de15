"""REST API of the core, version 1 under ``/api/v1/`` (schema ``/api/schema/``, Swagger UI ``/api/docs/``).

Conventions every endpoint follows:

* Authentication: ``Authorization: Token <key>`` or ``Bearer <key>`` (keys from ``POST /api/v1/tokens/``,
  shown once, stored hashed); the admin's session also works. No or a bad/revoked/expired key: 401.
* Roles: reads need "viewer"; each view's ``write_role`` ("operator" for stock and orders, "manager"
  for the catalog, channels and imports) guards its writes. A lower role: 403.
* Errors: field errors 400 ``{"field": ["message"]}``; a refused stock operation 400
  ``{"code": "invalid_operation", "detail"}``; insufficient stock 409 with ``shortfalls``; order
  conflicts and database constraint violations 409.
* Idempotency: stock operations and shipments take an ``Idempotency-Key`` header (scoped per user
  and action). The first call answers 201, a repeat 200 with the first result and
  ``Idempotent-Replayed: true``. Orders are idempotent on (channel, external_ref) the same way.
* Views validate with an input serializer, call a service or selector, and render with an output
  serializer; no business rule lives here.
"""
