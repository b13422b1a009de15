"""What a demo store is: a fake vendor server the sandbox can start, and how to link it.

Shopify and Amazon are the sandbox's two standing stores (``channels_app.demo.fakes``); every other
channel joins ``make run DEMO=1`` as a :class:`DemoStore` chosen with ``DEMO_STORES``. A store's
module must import without Django (the fake runs in a process of its own): import the fake inside
``start``.

Every channel fake offers the same control endpoints (under ``/_fake/``, no auth, loopback only),
so the buyer page, ``demo_buy`` and the benchmarks drive any store alike:

* ``POST /_fake/buy`` ``{"sku": str, "quantity": int}`` -> 201 ``{"order_id": str}`` when the store
  shows the units to a buyer (it deducts its own stock and creates the order, firing its webhooks
  or notifications as the real store would), 409 ``{"error": "out of stock"}`` otherwise;
* ``GET /_fake/quantities`` -> 200 ``{sku: units a buyer can buy now}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


class RunningFake(Protocol):
    """A started fake: where it listens, and how to stop it."""

    def stop(self) -> None: ...


@dataclass(frozen=True)
class AccountSpec:
    """The channel account that links the sandbox to a started fake (see ``account_create``)."""

    base_url: str
    credentials: dict[str, Any]
    options: dict[str, Any] = field(default_factory=dict)
    poll_interval_seconds: int = 60
    # Whether the account registers its webhooks with the channel after going live
    # (the connector must have the RegistersWebhooks capability).
    register_webhooks: bool = False


@dataclass(frozen=True)
class DemoStore:
    """One optional demo store.

    ``start(host=, port=)`` starts the fake seeded with the demo catalog's SKUs
    (``channels_app.demo.catalog``) at quantity 0 and returns ``(fake, url)``: the engine publishes
    the real figures once the store is linked. ``url`` is the fake's root (where ``/_fake/`` lives).
    ``account(url=)`` gives the account linking it. ``kind`` is the connector's kind.
    """

    name: str
    kind: str
    label: str
    start: Callable[..., tuple[RunningFake, str]]
    account: Callable[..., AccountSpec]
