"""The Shopify connector (Admin GraphQL API, signed webhooks), kind ``shopify``.

Account setup (step by step in the README): ``base_url`` is the store's
``https://<shop>.myshopify.com``; credentials depend on ``auth`` (module ``auth``): a Dev Dashboard
app's ``client_id`` and ``client_secret`` (``client_credentials``: the seller's own store, tokens
of ~24 h; ``authorization_code``: an agency's app connected with "Connect Shopify", tokens of 1 h
with a rotating refresh token), or a legacy custom app's Admin API ``access_token`` and API secret
key ``webhook_secret`` (``access_token``). Tokens are sent as ``X-Shopify-Access-Token``; webhook
signatures (``X-Shopify-Hmac-Sha256``) are keyed with the client secret (legacy: the API secret
key). Options:

``auth``
    ``client_credentials``, ``authorization_code`` or ``access_token``; default ``access_token``
    when the credentials hold one, else ``client_credentials``.
``shop_domain``
    The shop's ``<name>.myshopify.com`` when the base URL's host is not it (checked on the
    connect callback).

``api_version``
    Admin API version, default :data:`~channels_app.connectors.shopify.versions.DEFAULT_API_VERSION`
    (the current stable one). The connector follows the rules of the version Shopify actually
    serves (``X-Shopify-API-Version``; an unsupported old version "falls forward").
``location_id``
    The Shopify location (``gid://shopify/Location/<n>`` or ``<n>``) whose "available" quantity
    receives our figure and is read back. Without it the shop must have exactly one active location.
``location_map``
    ``{our location code: Shopify location}``; the locations feeding the account map to the Shopify
    location that shows their stock. The engine publishes one figure per listing, so every entry must
    name the same Shopify location (see the module ``connector`` for why).
``page_size`` (listings per page, default 100), ``orders_page_size`` (default 10),
``throttle_wait_seconds`` (longest pause the client takes itself before a throttled call, default
2; longer waits are raised as ``RetryableError`` with ``retry_after`` for the engine to schedule),
``notify_customer`` (fulfilments email the buyer, default true).

Modules: ``auth`` the access token of each mode, ``oauth`` the connect flow's checks, ``client``
raw GraphQL over the engine's confined HTTP with the cost bucket, ``queries``
the GraphQL documents per version, ``mapping`` pure vendor JSON to DTO functions, ``webhooks``
signature check, ``inventory`` the compare-and-swap push, ``connector`` the registered class.
"""
