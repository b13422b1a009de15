"""Admin of the shipping integrations (thin: every change goes through a service or a task)."""

from . import accounts, operations, shipments  # noqa: F401
