"""ShipStation, classic API (V1, ``https://ssapi.shipstation.com``).

Why V1 and not V2: the V1 API is the one ShipStation's order import for API-created orders and
its SHIP_NOTIFY webhooks belong to - orders are upserted by ``orderKey`` (POST
/orders/createorder), shipments listed by GET /shipments, and webhooks carry only
``resource_url``/``resource_type``. V2 (``api.shipstation.com/v2``, ShipEngine-based, ``api-key``
header) is a label API with a different order model; nothing here calls it.

Facts used (docs.shipstation.com/apis/shipstation-v1): Basic auth with API key as user and API
secret as password; 40 requests per minute per key pair, reported in ``X-Rate-Limit-Limit``,
``X-Rate-Limit-Remaining`` and ``X-Rate-Limit-Reset`` (seconds until the window resets), 429 when
exceeded; list endpoints page with ``page``/``pageSize`` and answer ``{<items>, total, page,
pages}``; a webhook body is ``{"resource_url", "resource_type"}`` and the resource URL is fetched
with the same Basic credentials (SHIP_NOTIFY's URL names a batch of shipments and
``includeShipmentItems=False``, so the client asks for the items itself); V1 timestamps carry no
offset and are US Pacific time.
"""
