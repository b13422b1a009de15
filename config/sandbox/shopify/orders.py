"""Buyer-side events of the fake shop: orders placed, cancelled, fulfilled."""

from __future__ import annotations

from .models import Fulfillment, FulfillmentOrder, FulfillmentOrderLineItem, LineItem, Order, Refund


class OutOfStock(Exception):
    """A buyer tried to order more than is available (and the variant does not CONTINUE selling)."""


class OrdersMixin:
    """Order operations of ``ShopifyState`` (kept apart to keep modules small)."""

    # --- orders -------------------------------------------------------------------------------------
    def place_order(
        self,
        *,
        lines: list[dict],
        location_id: int | None = None,
        financial_status: str = "PAID",
        allow_oversell: bool = False,
        **fields,
    ) -> Order:
        """A buyer checks out: ``lines`` are ``{"sku"| "variant_id", "quantity"}``. Moves the units
        from available to committed at the location and opens one fulfillment order there."""
        with self.lock:
            loc_id = location_id or next(iter(self.locations))
            resolved = []
            for line in lines:
                variant = (
                    self.variants.get(line["variant_id"])
                    if "variant_id" in line
                    else self.variant_by_sku(line["sku"])
                )
                if variant is None:
                    raise KeyError(f"unknown variant {line!r}")
                level = self._level(variant.inventory_item_id, loc_id)
                if (
                    level.get("available") < line["quantity"]
                    and variant.inventory_policy == "DENY"
                    and not allow_oversell
                ):
                    raise OutOfStock(
                        f"{variant.sku}: {level.get('available')} available, {line['quantity']} ordered"
                    )
                resolved.append((variant, level, int(line["quantity"])))
            now = self.clock()
            self._order_number += 1
            order = Order(
                id=self.new_id("Order"),
                number=self._order_number,
                created_at=now,
                updated_at=now,
                line_items=[],
                financial_status=financial_status,
                **fields,
            )
            fo = FulfillmentOrder(
                id=self.new_id("FulfillmentOrder"),
                order_id=order.id,
                location_id=loc_id,
                created_at=now,
                updated_at=now,
            )
            for variant, level, qty in resolved:
                product = self.products[variant.product_id]
                li = LineItem(
                    id=self.new_id("LineItem"),
                    order_id=order.id,
                    variant_id=variant.id,
                    sku=variant.sku,
                    title=product.title,
                    quantity=qty,
                    price=variant.price,
                )
                order.line_items.append(li)
                self.line_items[li.id] = li
                fo.line_items.append(
                    FulfillmentOrderLineItem(
                        id=self.new_id("FulfillmentOrderLineItem"),
                        line_item_id=li.id,
                        total_quantity=qty,
                        remaining_quantity=qty,
                    )
                )
                self.change_quantity(level, "available", -qty)
                self.change_quantity(level, "committed", qty)
            order.fulfillment_order_ids.append(fo.id)
            self.orders[order.id] = order
            self.fulfillment_orders[fo.id] = fo
            self.emit("ORDERS_CREATE", order)
            if financial_status == "PAID":
                self.emit("ORDERS_PAID", order)
            self.emit("ORDERS_UPDATED", order)  # orders/updated also fires for a new order
            return order

    def cancel_order(self, order_id: int, *, reason: str = "CUSTOMER", restock: bool = True) -> Order:
        """Cancel an order; unfulfilled units go back to available when ``restock``."""
        with self.lock:
            order = self.orders[order_id]
            now = self.clock()
            for fo_id in order.fulfillment_order_ids:
                fo = self.fulfillment_orders[fo_id]
                for foli in fo.line_items:
                    level = self._level(
                        self.variants[self._line(order, foli.line_item_id).variant_id].inventory_item_id,
                        fo.location_id,
                    )
                    self.change_quantity(level, "committed", -foli.remaining_quantity)
                    if restock:
                        self.change_quantity(level, "available", foli.remaining_quantity)
                    foli.remaining_quantity = 0
                fo.status, fo.updated_at = "CLOSED" if fo.status == "CLOSED" else "CANCELLED", now
            order.cancelled_at, order.cancel_reason, order.updated_at = now, reason, now
            order.financial_status = "REFUNDED" if order.financial_status == "PAID" else "VOIDED"
            order.closed_at = now
            self.emit("ORDERS_CANCELLED", order)
            self.emit("ORDERS_UPDATED", order)
            return order

    @staticmethod
    def _line(order: Order, line_item_id: int) -> LineItem:
        return next(li for li in order.line_items if li.id == line_item_id)

    def touch(self, order: Order) -> None:
        order.updated_at = self.clock()
        self.emit("ORDERS_UPDATED", order)

    def fulfill(
        self,
        *,
        order: Order,
        lines: list[tuple[FulfillmentOrder, FulfillmentOrderLineItem, int]],
        tracking: list[dict],
    ) -> Fulfillment:
        """Ship ``quantity`` of each fulfillment order line item: committed (and so on_hand) drops."""
        with self.lock:
            now = self.clock()
            shipped: dict[int, int] = {}
            for fo, foli, qty in lines:
                li = self.line_items[foli.line_item_id]
                foli.remaining_quantity -= qty
                li.fulfilled_quantity += qty
                level = self._level(self.variants[li.variant_id].inventory_item_id, fo.location_id)
                self.change_quantity(level, "committed", -qty)
                shipped[li.id] = shipped.get(li.id, 0) + qty
                fo.updated_at = now
                fo.status = (
                    "CLOSED" if all(x.remaining_quantity == 0 for x in fo.line_items) else "IN_PROGRESS"
                )
            fulfillment = Fulfillment(
                id=self.new_id("Fulfillment"),
                order_id=order.id,
                name=f"{order.name}.{len(order.fulfillments) + 1}",
                created_at=now,
                tracking=tracking,
                lines=list(shipped.items()),
            )
            order.fulfillments.append(fulfillment)
            order.updated_at = now
            self.emit("FULFILLMENTS_CREATE", fulfillment)
            status = order.fulfillment_status
            self.emit("ORDERS_FULFILLED" if status == "FULFILLED" else "ORDERS_PARTIALLY_FULFILLED", order)
            self.emit("ORDERS_UPDATED", order)
            return fulfillment

    def refund_order(
        self, order_id: int, *, lines: list[dict], restock: bool = True, note: str | None = None
    ) -> Refund:
        """Refund ``lines`` (``{"sku" | "line_item_id", "quantity"}``). Unfulfilled units are cancelled
        (restock_type "cancel": committed drops); shipped ones are returned ("return"); with ``restock``
        the units go back to available. Announces refunds/create and orders/updated."""
        with self.lock:
            order = self.orders[order_id]
            fo = self.fulfillment_orders[order.fulfillment_order_ids[0]]
            now, refund_lines = self.clock(), []
            for line in lines:
                li = next(
                    x
                    for x in order.line_items
                    if x.id == line.get("line_item_id") or x.sku == line.get("sku")
                )
                qty = int(line["quantity"])
                if qty > li.quantity - li.refunded_quantity:
                    raise ValueError(f"cannot refund {qty} of line {li.id}")
                level = self._level(self.variants[li.variant_id].inventory_item_id, fo.location_id)
                foli = next(x for x in fo.line_items if x.line_item_id == li.id)
                unshipped = min(qty, foli.remaining_quantity)
                if unshipped:
                    foli.remaining_quantity -= unshipped
                    self.change_quantity(level, "committed", -unshipped)
                if restock:
                    self.change_quantity(level, "available", qty)
                li.refunded_quantity += qty
                kind = ("cancel" if unshipped == qty else "return") if restock else "no_restock"
                refund_lines.append(
                    {
                        "id": self.new_id("RefundLineItem"),
                        "line_item_id": li.id,
                        "quantity": qty,
                        "restock_type": kind,
                        "location_id": fo.location_id if restock else None,
                    }
                )
            refund = Refund(
                id=self.new_id("Refund"),
                order_id=order.id,
                created_at=now,
                restock=restock,
                lines=refund_lines,
                note=note,
            )
            order.refunds.append(refund)
            all_refunded = all(li.refunded_quantity >= li.quantity for li in order.line_items)
            order.financial_status = "REFUNDED" if all_refunded else "PARTIALLY_REFUNDED"
            order.updated_at = now
            if all(x.remaining_quantity == 0 for x in fo.line_items) and fo.status == "OPEN":
                fo.status, fo.updated_at = "CLOSED", now
            self.emit("REFUNDS_CREATE", refund)
            self.emit("ORDERS_UPDATED", order)
            return refund
