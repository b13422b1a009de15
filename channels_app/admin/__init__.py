"""Django admin of the sync engine: accounts with their sync health, listings, inbound events.

Every write goes through the services (account create/update, link/unlink, rule overrides,
retries, sync now); credentials can be typed in but are never shown back.
"""

from channels_app.admin import accounts, events, listings, order_pushes

__all__ = ["accounts", "events", "listings", "order_pushes"]
