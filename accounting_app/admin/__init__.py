"""Admin of the accounting integrations: connections (with the OAuth connect flow, mappings,
preview and export), the export log with its retry action, and export runs."""

from accounting_app.admin import connections, exports  # noqa: F401 - registers the model admins
