"""The "channel health" hook: how integration apps put their sync state on the staff dashboard.

The core knows nothing of channel accounts. An integration app registers a provider from its
``AppConfig.ready()``::

    from inventory_app.dashboard_hooks import channel_health_provider_register
    channel_health_provider_register(my_provider)

The dashboard calls every provider once per page; a provider returns one :class:`ChannelHealth`
per account it runs, each figure with the admin URL of the list behind it. A provider that fails
is logged and left out (the rest of the dashboard still shows).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChannelHealth:
    """One channel account's sync state, as the dashboard shows it.

    ``links`` maps a figure's name (``waiting``, ``failing``, ``failed_events``, ``drift``,
    ``account``, ``last_order``) to the admin list that shows it. ``daily_budget_left`` is None
    for a channel that exposes no daily call budget.
    """

    sales_channel_id: int
    name: str
    kind: str
    enabled: bool
    lag_seconds: float | None
    last_order_at: datetime | None
    waiting: int
    failing: int
    failed_events: int
    drift_24h: int
    daily_budget_left: int | None
    last_error: str
    links: dict[str, str] = field(default_factory=dict)

    @property
    def healthy(self) -> bool:
        """No failing push, failed event or recorded error."""
        return self.enabled and not (self.failing or self.failed_events or self.last_error)


ChannelHealthProvider = Callable[[], list[ChannelHealth]]
_providers: list[ChannelHealthProvider] = []


def channel_health_provider_register(provider: ChannelHealthProvider) -> ChannelHealthProvider:
    """Add ``provider`` to the dashboard (idempotent). Usable as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def channel_health_provider_unregister(provider: ChannelHealthProvider) -> None:
    """Remove a provider (tests, plugins that are switched off)."""
    if provider in _providers:
        _providers.remove(provider)


def channel_health_collect() -> list[ChannelHealth]:
    """Every registered provider's rows; a provider that raises is logged and skipped."""
    rows: list[ChannelHealth] = []
    for provider in list(_providers):
        try:
            rows.extend(provider())
        except Exception:
            logger.exception("channel health provider %r failed", provider)
    return rows
