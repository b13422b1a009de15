"""MSI (Magento Inventory) for the connector: which source receives our figure, Magento's
reservations of its open orders, and source-item writes (synchronous batches or one async bulk).

Why the written quantity is not our figure: Magento shows buyers a *salable quantity* it derives
itself - the quantity of the stock's in-stock source items minus its reservations for orders not
yet shipped (a reservation is added when an order is placed and compensated when it ships, is
canceled or refunded). Our published figure P already lacks those open Magento orders (the engine
took them in), so writing P would count them twice. We write ``P + R`` (R = the units Magento
still reserves for that SKU, read from its open orders) less what other sources of the same stock
hold, so that Magento's salable quantity equals P. When Magento ships, it deducts the shipped units
from the source and releases the reservation at once: the salable quantity does not move.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from channels_app.connectors.dto import PushResult, QuantityUpdate
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.magento.client import MagentoClient
from channels_app.connectors.magento.mapping import OPEN_STATES, reserved_units

INPUT_LIMIT_ERROR = "Maximum items of type"
ORDER_FIELDS = "items[entity_id,state,items[item_id,parent_item_id,sku,product_type,is_virtual,qty_ordered,qty_shipped,qty_canceled,qty_refunded]],total_count"  # noqa: E501
BULK_COMPLETE, BULK_RETRIABLE, BULK_FAILED, BULK_OPEN, BULK_REJECTED = 1, 2, 3, 4, 5


@dataclass(frozen=True)
class SourceItem:
    """One MSI source item as we write it."""

    sku: str
    source_code: str
    quantity: int
    status: int

    def as_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "source_code": self.source_code,
            "quantity": self.quantity,
            "status": self.status,
        }


class Msi:
    """The store's sources and the one source (and its stock) our figures go to."""

    def __init__(self, *, client: MagentoClient, options: Mapping[str, object]):
        self.client = client
        self.options = options
        self._source: str | None = None
        self._stock_id: int | None = None
        self._others: list[str] | None = None

    def sources(self) -> list[dict[str, Any]]:
        """Every MSI source (ConnectorError explains a store without the MSI modules)."""
        return list(self.client.search_all("inventory/sources", page_size=100))

    def source_code(self) -> str:
        """The source receiving our figure: the option, the sources the location map names (one),
        or the store's only enabled source (a single-source store: ``default``)."""
        if self._source:
            return self._source
        chosen = str(self.options.get("source_code") or "")
        mapped = {str(v) for v in dict(self.options.get("location_map") or {}).values()}
        if len(mapped) > 1:
            raise ConnectorError(
                "location_map names several Magento sources; the engine publishes one figure per"
                " listing, so map the account's locations to one source"
            )
        chosen = chosen or (mapped.pop() if mapped else "")
        sources = self.sources()
        codes = {str(s["source_code"]) for s in sources}
        if chosen and chosen not in codes:
            raise ConnectorError(f"Magento has no source {chosen!r}; its sources: {', '.join(sorted(codes))}")
        if not chosen:
            enabled = [s for s in sources if s.get("enabled", True)]
            if len(enabled) != 1:
                names = ", ".join(f"{s['source_code']} ({s.get('name', '')})" for s in enabled)
                raise ConnectorError(
                    f"The store has {len(enabled)} enabled sources; set source_code: {names}"
                )
            chosen = str(enabled[0]["source_code"])
        self._source = chosen
        return chosen

    def stock_id(self) -> int:
        """The stock selling from our source (the option, else the one linking it; default 1)."""
        if self._stock_id is None:
            self._load_links()
        return int(self._stock_id or 1)

    def other_sources(self) -> list[str]:
        """The stock's other sources: what they hold counts in Magento's salable quantity too."""
        if self._others is None:
            self._load_links()
        return list(self._others or [])

    def _load_links(self) -> None:
        source = self.source_code()
        links = list(self.client.search_all("inventory/stock-source-links", page_size=100))
        wanted = self.options.get("stock_id")
        stocks = sorted({int(link["stock_id"]) for link in links if link["source_code"] == source})
        if wanted is not None:
            self._stock_id = int(wanted)
        elif len(stocks) > 1:
            raise ConnectorError(f"Source {source!r} feeds stocks {stocks}; set stock_id")
        else:
            self._stock_id = stocks[0] if stocks else 1
        self._others = sorted(
            {str(link["source_code"]) for link in links if int(link["stock_id"]) == self._stock_id} - {source}
        )

    def reserved(self) -> dict[str, int]:
        """SKU -> units Magento reserves now for its open orders (read at every call: a stale
        figure after a shipment would overstate what buyers may buy)."""
        orders = self.client.search_all(
            "orders",
            page_size=100,
            filter_groups=[[("state", ",".join(OPEN_STATES), "in")]],
            sort=[("entity_id", "ASC")],
        )
        return reserved_units(orders)

    def held_elsewhere(self, skus: Sequence[str]) -> dict[str, int]:
        """SKU -> in-stock units the stock's other sources hold (empty for a one-source stock)."""
        others = self.other_sources()
        if not others or not skus:
            return {}
        held: dict[str, int] = {}
        items = self.client.search_all(
            "inventory/source-items",
            page_size=100,
            filter_groups=[[("sku", list(skus), "in")], [("source_code", others, "in")]],
        )
        for item in items:
            if int(item.get("status") or 0) == 1:
                held[item["sku"]] = held.get(item["sku"], 0) + int(float(item.get("quantity") or 0))
        return held

    def source_items(
        self, updates: Sequence[QuantityUpdate], *, reserved: Mapping[str, int]
    ) -> tuple[list[SourceItem], list[PushResult]]:
        """What to write so that Magento's salable quantity equals each update's figure given the
        ``reserved`` units, and the results of updates that cannot be written (other sources of
        the stock already hold more)."""
        skus = [u.listing.external_id for u in updates]
        elsewhere = self.held_elsewhere(skus)
        source = self.source_code()
        items, refused = [], []
        for update in updates:
            sku = update.listing.external_id
            quantity = update.quantity + reserved.get(sku, 0) - elsewhere.get(sku, 0)
            if quantity < 0:
                refused.append(
                    PushResult(
                        sku,
                        "error",
                        error=f"other sources of stock {self.stock_id()} hold {elsewhere[sku]} units of"
                        f" {sku}, more than the {update.quantity} we publish",
                    )
                )
                continue
            items.append(SourceItem(sku, source, quantity, 1 if quantity > 0 else 0))
        return items, refused

    def salable(self, skus: Sequence[str]) -> dict[str, int]:
        """What a buyer can buy now, per SKU, as our writes intend it: the stock's in-stock source
        quantities minus Magento's reservations (its own figure may lag a reindex)."""
        reserved = self.reserved()
        sources = [self.source_code(), *self.other_sources()]
        totals = dict.fromkeys(skus, 0)
        items = self.client.search_all(
            "inventory/source-items",
            page_size=100,
            filter_groups=[[("sku", list(skus), "in")], [("source_code", sources, "in")]],
        )
        seen = set()
        for item in items:
            seen.add(item["sku"])
            if int(item.get("status") or 0) == 1:
                totals[item["sku"]] = totals.get(item["sku"], 0) + int(float(item.get("quantity") or 0))
        return {sku: max(0, totals[sku] - reserved.get(sku, 0)) for sku in skus if sku in seen}


def input_limit_of(exc: ConnectorError) -> int | None:
    """The ``max`` of Magento's "Maximum items of type %type is %max" refusal, None otherwise."""
    import json

    if exc.status != 400 or INPUT_LIMIT_ERROR not in (exc.body or ""):
        return None
    try:
        limit = int(json.loads(exc.body)["parameters"]["max"])
    except (ValueError, KeyError, TypeError):
        return None
    return limit if limit > 0 else None


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
