"""Volusion (V1 "Volusion API"): XML over ``/net/WebService.aspx``, polled, no webhooks.

Every call goes to ``<store root>/net/WebService.aspx`` with the admin's ``Login`` (e-mail) and
``EncryptedPassword`` (64 hex characters, shown in the admin's Volusion API "Run" URL) as query
parameters. Bad or expired credentials are answered with an empty body (no error status):
:class:`~channels_app.connectors.volusion.client.CredentialsExpired`.

Exports (GET) ``EDI_Name=Generic\\Orders`` or ``Generic\\Products`` with ``SELECT_Columns``
(``o.``/``od.``/``p.`` prefixed names) and at most one equality filter ``WHERE_Column`` +
``WHERE_Value``. Answer ``<xmldata>`` with one ``<Orders>`` (nested ``<OrderDetails>``) or
``<Products>`` per record; empty fields are left out; ``<xmldata />`` when nothing matches.
An unfiltered export walks a store-wide cursor, 100 records per call, then answers empty until
an admin resets it (Inventory > Import/Export > Volusion API > Reset Export); filtered exports
are re-usable and do not move it. Dates are ``M/D/YYYY h:mm:ss AM|PM`` in the store's time zone.

Imports (POST, ``Content-Action: Volusion_API``, raw XML body) ``Import=Update`` with
``<Products><ProductCode/><StockStatus/></Products>`` rows, and ``Import=Insert-Update`` with
``<TrackingNumbers>`` rows (``MarkOrderShipped=true`` marks the order shipped). The import's
answer says little: pushed figures are re-read. Sources and choices: README.md.
"""
