"""What the rush measures in our database after the drain: lost orders, duplicate reservations,
ledger invariant violations."""

from __future__ import annotations

from collections import defaultdict


def lost_orders(*, channels) -> dict[str, list[str]]:
    """Per channel, the ids of orders the fake accepted that are not in our ledger."""
    from inventory_app.models import Order

    lost = {}
    for ch in channels:
        ours = set(
            Order.objects.filter(channel_id=ch.account.sales_channel_id).values_list(
                "external_ref", flat=True
            )
        )
        lost[ch.name] = sorted(set(ch.order_ids()) - ours)
    return lost


def duplicate_reservations() -> int:
    """Units reserved beyond what an order line needs.

    For every order line and every stock SKU it reserves (the SKU itself, or each component of a
    kit), the units allocated (still reserved + shipped) may not exceed line quantity x units per
    item; also every (channel, external order) exists once (a DB constraint, counted anyway).
    """
    from django.db.models import Count, Sum

    from inventory_app.models import Allocation, KitComponent, Order, OrderLine

    per_kit = defaultdict(dict)
    for kit_id, comp_id, qty in KitComponent.objects.values_list("kit_id", "component_id", "quantity"):
        per_kit[kit_id][comp_id] = qty
    need = {}
    for line_id, sku_id, qty in OrderLine.objects.exclude(sku=None).values_list("pk", "sku_id", "quantity"):
        parts = per_kit.get(sku_id) or {sku_id: 1}
        for comp, per in parts.items():
            need[(line_id, comp)] = qty * per
    extra = 0
    rows = Allocation.objects.values("line_id", "sku_id").annotate(
        q=Sum("quantity"), s=Sum("quantity_shipped")
    )
    for row in rows:
        allowed = need.get((row["line_id"], row["sku_id"]), 0)
        extra += max(0, row["q"] + row["s"] - allowed)
    doubles = Order.objects.values("channel_id", "external_ref").annotate(n=Count("pk")).filter(n__gt=1)
    return extra + sum(r["n"] - 1 for r in doubles)


def invariant_violations() -> dict[str, int]:
    """Rows breaking the ledger's invariants.

    * levels_vs_movements: a stock level whose on_hand or committed differs from the sum of its
      movements' deltas (the append-only log must explain every level);
    * committed_vs_allocations: a level whose committed differs from the units still reserved by
      allocations at that SKU and location;
    * negative: a level with negative on_hand or committed, or committed > on_hand for a level
      that does not allow backorders.
    """
    from django.db.models import Sum

    from inventory_app.models import Allocation, StockLevel, StockMovement

    moves = {
        (r["sku_id"], r["location_id"]): (r["h"], r["c"])
        for r in StockMovement.objects.values("sku_id", "location_id").annotate(
            h=Sum("on_hand_delta"), c=Sum("committed_delta")
        )
    }
    allocs = {
        (r["sku_id"], r["location_id"]): r["q"]
        for r in Allocation.objects.values("sku_id", "location_id").annotate(q=Sum("quantity"))
    }
    out = {"levels_vs_movements": 0, "committed_vs_allocations": 0, "negative": 0}
    seen = set()
    for level in StockLevel.objects.values(
        "sku_id", "location_id", "on_hand", "committed", "allow_backorder"
    ):
        key = (level["sku_id"], level["location_id"])
        seen.add(key)
        if moves.get(key, (0, 0)) != (level["on_hand"], level["committed"]):
            out["levels_vs_movements"] += 1
        if allocs.get(key, 0) != level["committed"]:
            out["committed_vs_allocations"] += 1
        if (
            level["on_hand"] < 0
            or level["committed"] < 0
            or (not level["allow_backorder"] and level["committed"] > level["on_hand"])
        ):
            out["negative"] += 1
    out["levels_vs_movements"] += sum(1 for k, v in moves.items() if k not in seen and v != (0, 0))
    out["committed_vs_allocations"] += sum(1 for k, v in allocs.items() if k not in seen and v)
    return out


def engine_activity() -> dict[str, dict]:
    """Per channel kind, what the engine did: push records by outcome, inbound events by status,
    and the account's measured confirm lag at the end (the adaptive buffer's staleness input)."""
    from django.db.models import Count

    from channels_app.models import ChannelAccount, InboundEvent, PushRecord

    out: dict[str, dict] = {}
    for account in ChannelAccount.objects.all():
        pushes = PushRecord.objects.filter(account=account).values_list("outcome").annotate(n=Count("pk"))
        events = InboundEvent.objects.filter(account=account).values_list("status").annotate(n=Count("pk"))
        out[account.kind] = {
            "push_records": dict(pushes),
            "inbound_events": dict(events),
            "confirm_lag_s": round(float(account.confirm_lag_seconds), 2),
        }
    return out


def oversold_push_history(*, accounts: dict, sales: list[dict], limit: int = 40) -> list[dict]:
    """For each oversold sale (the first ``limit``): the engine's push records of that item's
    listing on that channel (failures and throttles; a success leaves none) from 5 s before the
    truth fell to the sale, seconds relative to the sale (quantity, the figure before, outcome,
    error), and the listing's failure count now: a push that failed and backed off, or never went.
    ``accounts``: channel name -> its account."""
    from datetime import UTC, datetime

    from channels_app.models import Listing, PushRecord

    history = []
    for sale in sales[:limit]:
        listing = Listing.objects.filter(account=accounts[sale["channel"]], sku__code=sale["item"]).first()
        row = {"channel": sale["channel"], "item": sale["item"], "stale_s": sale["stale_s"], "pushes": None}
        if listing is not None:
            since = datetime.fromtimestamp(sale["at"] - sale["stale_s"] - 5, UTC)
            until = datetime.fromtimestamp(sale["at"] + 1, UTC)
            records = PushRecord.objects.filter(listing=listing, created_at__range=(since, until))
            row["pushes"] = [
                [round(r.created_at.timestamp() - sale["at"], 2), r.quantity, r.previous_quantity,
                 r.outcome, r.error[:80]]
                for r in records.order_by("created_at")
            ]  # fmt: skip
            row["push_failures_now"] = listing.push_failures
        history.append(row)
    return history


def intake_seconds(*, channels, start: float, early_s: float = 10.0) -> dict[str, dict]:
    """Per channel, seconds from each sale to its order row in our database (``created_at``,
    the intake alone: delivery, storing, draining, reserving), as p50/p90/p99 over the whole
    buying and over its first ``early_s`` seconds, when the hottest items sell out."""
    from bench.rush.run import _pct
    from inventory_app.models import Order

    out = {}
    for ch in channels:
        sold = {s.order_id: s.at for s in ch.sales}
        created = dict(
            Order.objects.filter(
                channel_id=ch.account.sales_channel_id, external_ref__in=list(sold)
            ).values_list("external_ref", "created_at")
        )
        waits = [(sold[ref] - start, row.timestamp() - sold[ref]) for ref, row in created.items()]
        every = [w for _, w in waits]
        early = [w for t, w in waits if t < early_s]
        out[ch.name] = {
            "all": [_pct(every, q) for q in (0.5, 0.9, 0.99)],
            "early": [_pct(early, q) for q in (0.5, 0.9, 0.99)],
            "samples": len(every),
            "by_5s_p50": [
                _pct([w for t, w in waits if lo <= t < lo + 5], 0.5) for lo in range(0, 60, 5)
            ],
        }
    return out
