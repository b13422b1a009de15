"""REST API of the accounting integrations (``/api/v1/accounting/``): connections, preview of a
period, export and retry (enqueued after commit), and the export log. Reads need the viewer
role; exports need the manager role, retries the operator role."""
