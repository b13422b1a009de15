"""Rakuten France (ex-PriceMinister) web services, as this connector speaks them.

Host ``https://ws.fr.shopping.rakuten.com``; two endpoints, ``/sales_ws`` and ``/stock_ws``,
routed by the ``action`` query parameter. Every call carries ``login`` (the seller's login),
``pwd`` (the API token) and the action's ``version`` (``client.VERSIONS``). Answers are XML
(``<action>result/request|response``), parsed hardened and by local name; an ``errorresponse``
root (``error/type, code, message, details/detail``) is an error whatever the HTTP status.

* Sales: ``getnewsales`` lists every sale awaiting acceptance (no paging; Rakuten cancels a sale
  not answered within two days); ``acceptsale`` / ``refusesale`` answer one ``itemid``;
  ``getcurrentsales`` lists the accepted ones, paged by ``nexttoken``. One ``item`` = one unit.
* Stock: ``genericimportfile`` (POST multipart, field ``file``) takes an XML file of adverts
  (``sellerReference`` + ``qty``) and answers an ``importid``; ``genericimportreport&fileid=``
  tells the file's state (Reçu, En attente, Import en cours, Traité...) and each line's outcome.
  At most 10 files an hour. ``purgeandreplace`` is never sent. ``export`` lists the adverts.
* Fulfilment: ``settrackingpackageinfos`` (one item) or ``importitemshippingstatus`` (a file).
* Limits: an hourly request quota answered "Quota exceeded" (retryable, see ``client``).

Modules: ``client`` (calls and errors), ``mapping`` (XML <-> DTOs), ``window`` (the files-an-hour
ledger), ``pushing`` (quantity pushes), ``answers`` + ``tasks`` (accept/refuse), ``shipping``.
"""
