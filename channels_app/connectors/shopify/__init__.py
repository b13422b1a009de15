"""The Shopify connector (Admin GraphQL API, signed webhooks), kind ``shopify``.

Account setup (step by step in the README): ``base_url`` is the store's
``https://<shop>.myshopify.com``; credentials depend on ``auth`` (module ``auth``): a Dev Dashboard
app's ``client_id`` and ``client_secret`` (``client_credentials``: the seller's own store, tokens
of ~24 h; ``authorization_code``: an agency's app connected with "Connect Shopify", tokens of 1 h
with a rotating refresh token), or a legacy custom app's Admin API ``access_token`` and API secret
key ``webhook_secret`` (``access_token``). Tokens are sent as ``X-Shopify-Access-Token``; webhook
signatures (``X-Shopify-Hmac-Sha256``) are keyed with the client secret (legacy: the API secret
key). Credentials (per ``auth`` mode) and options are declared in ``declared``; their table,
generated from it, is in the README. ``location_map`` maps our locations to the Shopify location
that shows their stock; the engine publishes one figure per listing, so every entry must name the
same Shopify location (see the module ``connector`` for why).

Modules: ``auth`` the access token of each mode, ``oauth`` the connect flow's checks, ``client``
raw GraphQL over the engine's confined HTTP with the cost bucket, ``queries``
the GraphQL documents per version, ``mapping`` pure vendor JSON to DTO functions, ``webhooks``
signature check, ``inventory`` the compare-and-swap push, ``connector`` the registered class.
"""
