"""The "availability changed" hook: how the core tells other apps that stock moved.

Integration apps register a listener explicitly, from their ``AppConfig.ready()``::

    from inventory_app.hooks import availability_listener_register
    availability_listener_register(my_listener)

The ledger calls :func:`availability_changed_notify` after its transaction commits. Listeners
receive the ids of every SKU whose sellable availability may have changed, kits that contain a
changed component (directly or through nested kits) included. A listener should be quick (enqueue
a task, do not call a vendor); an exception in one listener is logged and does not stop the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

logger = logging.getLogger(__name__)

AvailabilityListener = Callable[[frozenset[int]], None]
_listeners: list[AvailabilityListener] = []


def availability_listener_register(listener: AvailabilityListener) -> AvailabilityListener:
    """Subscribe ``listener`` to availability changes (idempotent). Usable as a decorator."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def availability_listener_unregister(listener: AvailabilityListener) -> None:
    """Remove a listener (tests, plugins that are switched off)."""
    if listener in _listeners:
        _listeners.remove(listener)


def availability_changed_notify(*, sku_ids: Iterable[int]) -> frozenset[int]:
    """Call every listener with ``sku_ids`` plus the kits containing them; return that set."""
    from inventory_app.selectors.kits import sku_kits_containing

    base = frozenset(sku_ids)
    if not base:
        return base
    affected = base | frozenset(sku_kits_containing(sku_ids=base))
    for listener in list(_listeners):
        try:
            listener(affected)
        except Exception:
            logger.exception("availability listener %r failed for %d SKUs", listener, len(affected))
    return affected
