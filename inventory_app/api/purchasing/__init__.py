"""REST endpoints of purchasing, receiving, landed costs, returns (RMA), reorder and cost reports.

Mounted under ``/api/v1/`` by ``config/urls.py`` (see :mod:`.urls`). Same conventions as
``inventory_app.api``: reads need "viewer"; writes need "operator" (receiving, returns, POs) or
"manager" (suppliers, reorder rules); refusals are 400 ``invalid_operation``; receipts and return
receipts honour the ``Idempotency-Key`` header (201 first, 200 replay).
"""
