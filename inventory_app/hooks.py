"""The core's hooks: how it tells other apps that stock moved, an order shipped or was cancelled.

Integration apps register a listener explicitly, from their ``AppConfig.ready()``::

    from inventory_app.hooks import availability_listener_register
    availability_listener_register(my_listener)

The ledger calls :func:`availability_changed_notify` after its transaction commits. Listeners
receive the ids of every SKU whose sellable availability may have changed, kits that contain a
changed component (directly or through nested kits) included. A listener should be quick (enqueue
a task, do not call a vendor); an exception in one listener is logged and does not stop the others.

The "shipment recorded" hook (:func:`shipment_listener_register`) is called by ``order_ship``
*inside* the shipment's transaction with the new ``OrderShipment``, so a listener can write its
own durable row (an outbox) atomically with the shipment and enqueue its task with
``transaction.on_commit``. An exception in a listener aborts the shipment (nothing is shipped and
nothing is lost). Shipments the channel itself reported (``from_channel``) are passed too.

The "order cancelled here" hook (:func:`order_cancel_listener_register`) is called by
``order_cancel(..., channel_notify=True)`` inside the cancellation's transaction; a listener
returns a :class:`SellerNotice` for the seller (e.g. "cancel it in Seller Central too") or None. Errors abort
the cancellation, as above.

Credentials providers (:func:`credentials_provider_register`) list the vendor credentials an app
holds that expire; the alert check mails those expiring soon and records a
``credentials.expiring`` event for integrators.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inventory_app.models import Order, OrderShipment

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


@dataclass(frozen=True)
class SellerNotice:
    """What a cancellation listener tells the seller; ``action_needed``: the seller must act
    (the order is flagged for attention with the text)."""

    text: str
    action_needed: bool = False


ShipmentListener = Callable[["OrderShipment"], None]
CancelListener = Callable[["Order"], "SellerNotice | None"]
_shipment_listeners: list[ShipmentListener] = []
_cancel_listeners: list[CancelListener] = []


def shipment_listener_register(listener: ShipmentListener) -> ShipmentListener:
    """Subscribe ``listener`` to shipments recorded in the core (idempotent)."""
    if listener not in _shipment_listeners:
        _shipment_listeners.append(listener)
    return listener


def shipment_listener_unregister(listener: ShipmentListener) -> None:
    """Remove a shipment listener."""
    if listener in _shipment_listeners:
        _shipment_listeners.remove(listener)


def shipment_recorded_notify(*, shipment: OrderShipment) -> None:
    """Call every shipment listener with ``shipment`` (inside the shipment's transaction)."""
    for listener in list(_shipment_listeners):
        listener(shipment)


def order_cancel_listener_register(listener: CancelListener) -> CancelListener:
    """Subscribe ``listener`` to orders cancelled here by the seller (idempotent)."""
    if listener not in _cancel_listeners:
        _cancel_listeners.append(listener)
    return listener


def order_cancel_listener_unregister(listener: CancelListener) -> None:
    """Remove a cancellation listener."""
    if listener in _cancel_listeners:
        _cancel_listeners.remove(listener)


def order_cancelled_notify(*, order: Order) -> list[SellerNotice]:
    """Call every cancellation listener with ``order``; return their notices for the seller."""
    return [notice for listener in list(_cancel_listeners) if (notice := listener(order))]


@dataclass(frozen=True)
class CredentialsExpiry:
    """Credentials an integration app holds that stop working at ``expires_at`` (None: they no
    longer work, ``text`` says why); ``key`` is stable per credential ("channel-account:3")."""

    key: str
    name: str
    expires_at: datetime | None
    text: str


CredentialsProvider = Callable[[], "list[CredentialsExpiry]"]
_credentials_providers: list[CredentialsProvider] = []


def credentials_provider_register(provider: CredentialsProvider) -> CredentialsProvider:
    """Subscribe a provider of expiring credentials (called by the alert check; idempotent)."""
    if provider not in _credentials_providers:
        _credentials_providers.append(provider)
    return provider


def credentials_provider_unregister(provider: CredentialsProvider) -> None:
    """Remove a credentials provider."""
    if provider in _credentials_providers:
        _credentials_providers.remove(provider)


def credentials_expiring_collect(*, within: timedelta, now: datetime) -> list[CredentialsExpiry]:
    """Credentials of every provider that expire within ``within`` of ``now`` or no longer work;
    a provider that fails is logged and left out."""
    found = []
    for provider in list(_credentials_providers):
        try:
            rows = provider()
        except Exception:
            logger.exception("credentials provider %r failed", provider)
            continue
        found += [c for c in rows if c.expires_at is None or c.expires_at <= now + within]
    return found
