"""eBay (Sell Inventory v1, Sell Fulfillment v1, Commerce Notification v1; OAuth 2.0).

Protocol, as eBay documents it (sources and choices: docs/vendors/ebay.md and this README):

* Hosts: the account's base URL is the API host, ``https://api.ebay.com`` (production) or
  ``https://api.sandbox.ebay.com`` (sandbox); the seller's browser is sent to the consent page
  ``https://auth[.sandbox].ebay.com/oauth2/authorize`` (option ``environment``).
* Auth: user access token of the authorization code grant. ``POST /identity/v1/oauth2/token``
  (form-encoded, ``Authorization: Basic base64(client_id:client_secret)``) exchanges the code
  (``redirect_uri`` = the RuName) for ``access_token`` (7200 s) and ``refresh_token`` (about 18
  months); ``grant_type=refresh_token`` with the consented ``scope`` gives a new access token and
  no new refresh token. ``client_credentials`` gives the application token used for
  getPublicKey. API calls carry ``Authorization: Bearer`` and ``X-EBAY-C-MARKETPLACE-ID``.
* Errors: ``{"errors": [{"errorId", "domain", "category", "message", ...}]}``; 401 errorId 1001
  invalid token; 429 errorId 2001 (daily call quota, no Retry-After).
* Listings: ``GET /sell/inventory/v1/inventory_item`` (limit <= 200, follow ``next``) and
  ``GET /sell/inventory/v1/offer?sku=`` (offerId, status, listing.listingId).
* Quantities: ``POST /sell/inventory/v1/bulk_update_price_quantity`` with at most 25
  ``{"offers": [{"offerId", "availableQuantity"}]}`` elements; 200, or 207 with a ``statusCode``
  per element. Each accepted element is one revision of its listing (250 per listing per day).
* Orders: ``GET /sell/fulfillment/v1/order?filter=lastmodifieddate:[<iso>..]&limit=&offset=``;
  ``POST /sell/fulfillment/v1/order/{orderId}/shipping_fulfillment`` (201, ``Location``).
* Notifications: JSON POSTs signed with ``X-EBAY-SIGNATURE`` (base64 JSON ``{alg, kid,
  signature, digest}``, ECDSA P-256 over the body with SHA-1); the key comes from
  ``GET /commerce/notification/v1/public_key/{kid}`` (application token) and is cached an hour.
  An endpoint answers eBay's ``GET ?challenge_code=`` with ``{"challengeResponse":
  hex(sha256(challengeCode + verificationToken + endpoint))}``.
"""
