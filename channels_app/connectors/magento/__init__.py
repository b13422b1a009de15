"""Magento 2.4 / Adobe Commerce REST protocol, as the connector uses it.

* Paths: ``<base URL>/rest/<store code>/V1/<resource>``; bulk writes under ``/rest/<store
  code>/async/bulk/V1/...`` (202 ``{"bulk_uuid", "request_items", "errors"}``), their state at
  ``GET /V1/bulk/{uuid}/status``.
* Auth: an integration's OAuth 1.0a credentials, every request signed HMAC-SHA256 (``oauth``);
  or, when the store allows it (2.4.4+: off by default), the access token as a bearer token.
  Refusals: 401 ``{"message": "The signature is invalid. Verify and try again."}``; a bearer token
  the store refuses reads 401 ``The consumer isn't authorized to access %resources``.
* Lists: ``searchCriteria[filter_groups][g][filters][f][field|value|condition_type]`` (OR inside
  a group, AND across), ``[sortOrders][k][field|direction]``, ``[pageSize]``, ``[currentPage]``;
  answers ``{"items", "search_criteria", "total_count"}``; a page past the end repeats the last.
* Errors: ``{"message": "... %1 ...", "parameters": [...] or {...}}``; input limiting refuses more
  than 20 items a synchronous request: 400 ``Maximum items of type "%type" is %max``.
* No order webhooks in Magento Open Source: orders are polled on ``updated_at``.

Module map: ``oauth`` (RFC 5849 signing), ``client`` (calls, searchCriteria, paging, errors),
``mapping`` (JSON -> DTOs, reserved units), ``inventory`` (MSI sources, reservations, what to
write), ``pushing`` (sync batches, bulk), ``fulfilment`` (shipments), ``connector``.
"""
