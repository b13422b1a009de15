"""Mutation resolvers: inventorySetQuantities, inventoryAdjustQuantities, fulfillmentCreate, webhooks.

Inventory mutations are all-or-nothing: any userError leaves every quantity unchanged. Their
compare-and-swap and idempotency rules depend on the served API version (see versions.py, README.md).
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlparse

from graphql import GraphQLError, get_directive_values

from .models import gid, iso, parse_gid
from .resolvers import RESOLVERS

# Reasons accepted by inventorySetQuantities / inventoryAdjustQuantities (Shopify "quantities states").
REASONS = frozenset(
    {
        "correction",
        "cycle_count_available",
        "damaged",
        "movement_created",
        "movement_updated",
        "movement_received",
        "movement_canceled",
        "other",
        "promotion",
        "quality_control",
        "received",
        "reservation_created",
        "reservation_deleted",
        "reservation_updated",
        "restock",
        "safety_stock",
        "shrinkage",
    }
)
SET_NAMES = ("available", "on_hand")
ADJUST_NAMES = ("available", "damaged", "incoming", "quality_control", "reserved", "safety_stock")
LIMIT = 1_000_000_000
IDEMPOTENCY_RETENTION_SECONDS = 24 * 3600


def mutation(name: str):
    def register(fn):
        RESOLVERS[("Mutation", name)] = fn
        return fn

    return register


def _err(code, field, message):
    return {"code": code, "field": field, "message": message}


# --- idempotency ------------------------------------------------------------------------------------
def _idempotent(info, args: dict, run):
    """Run ``run()`` under the request's @idempotent key, replaying the stored answer for a retry."""
    ctx = info.context
    directive = info.schema.get_directive("idempotent")
    values = get_directive_values(directive, info.field_nodes[0], info.variable_values) if directive else None
    key = values["key"] if values else None
    if key is None:
        if ctx.features.idempotency_required:
            raise GraphQLError(
                f"An idempotency key is required for {info.field_name} (API version "
                f"{ctx.version}); pass it with the @idempotent(key:) directive."
            )
        return run()
    fingerprint = json.dumps([info.field_name, args], sort_keys=True, default=str)
    store = ctx.fake.idempotency
    with ctx.state.lock:
        now = time.monotonic()
        for old in [k for k, v in store.items() if now - v[2] > IDEMPOTENCY_RETENTION_SECONDS]:
            del store[old]
        if key in store:
            stored_fingerprint, payload, _ = store[key]
            ctx.fake.count("idempotent_replays")
            if stored_fingerprint != fingerprint:
                return _only_error(
                    "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
                    "The same idempotency key cannot be used with different operation parameters.",
                )
            if payload["userErrors"]:
                return _only_error(
                    "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED",
                    "A previous request with this idempotency key failed. Retry with a new idempotency key.",
                )
            return payload
        payload = run()
        store[key] = (fingerprint, payload, now)
        return payload


def _only_error(code, message):
    return {"inventoryAdjustmentGroup": None, "userErrors": [_err(code, None, message)]}


def _group(state, reason, reference, changes):
    group_id = state.new_id("InventoryAdjustmentGroup")
    group = {
        "id": gid("InventoryAdjustmentGroup", group_id),
        "createdAt": iso(state.clock()),
        "reason": reason,
        "referenceDocumentUri": reference,
        "changes": changes,
    }
    state.adjustment_groups[group_id] = group
    return group


def _common_input_errors(data, names, code_name):
    errors = []
    if data["name"] not in names:
        errors.append(
            _err(code_name, ["input", "name"], f"The quantity name must be one of: {', '.join(names)}.")
        )
    if data["reason"] not in REASONS:
        errors.append(_err("INVALID_REASON", ["input", "reason"], "The specified reason is invalid."))
    ref = data.get("referenceDocumentUri")
    if ref is not None and not urlparse(ref).scheme:
        errors.append(
            _err(
                "INVALID_REFERENCE_DOCUMENT",
                ["input", "referenceDocumentUri"],
                "The specified reference document is invalid.",
            )
        )
    return errors


def _level_or_errors(state, entry, path, errors):
    item_id = parse_gid(entry["inventoryItemId"], "InventoryItem")
    loc_id = parse_gid(entry["locationId"], "Location")
    if item_id not in state.items:
        errors.append(
            _err(
                "INVALID_INVENTORY_ITEM",
                [*path, "inventoryItemId"],
                "The specified inventory item could not be found.",
            )
        )
        return None
    if loc_id not in state.locations:
        errors.append(
            _err("INVALID_LOCATION", [*path, "locationId"], "The specified location could not be found.")
        )
        return None
    level = state.level(item_id, loc_id)
    if level is None:
        errors.append(
            _err(
                "ITEM_NOT_STOCKED_AT_LOCATION",
                path,
                "The specified inventory item is not stocked at the location.",
            )
        )
    return level


# --- inventorySetQuantities -------------------------------------------------------------------------
@mutation("inventorySetQuantities")
def _set_quantities(_, info, input):
    return _idempotent(info, input, lambda: _set(info, input))


def _set(info, data):
    ctx, state = info.context, info.context.state
    features = ctx.features
    errors = _common_input_errors(data, SET_NAMES, "INVALID_NAME")
    name, planned, seen = data["name"], [], set()
    for i, q in enumerate(data["quantities"]):
        path = ["input", "quantities", str(i)]
        level = _level_or_errors(state, q, path, errors)
        if level is None:
            continue
        if (level.item_id, level.location_id) in seen:
            errors.append(
                _err(
                    "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
                    path,
                    "The combination of inventoryItemId and locationId must be unique.",
                )
            )
        seen.add((level.item_id, level.location_id))
        if q["quantity"] < 0:
            errors.append(
                _err("INVALID_QUANTITY_NEGATIVE", [*path, "quantity"], "The quantity can't be negative.")
            )
        elif q["quantity"] > LIMIT:
            errors.append(
                _err(
                    "INVALID_QUANTITY_TOO_HIGH",
                    [*path, "quantity"],
                    "The total quantity can't be higher than 1,000,000,000.",
                )
            )
        current = level.get(name) if name in SET_NAMES else None
        if features.change_from_quantity and "changeFromQuantity" in q:
            expected = q["changeFromQuantity"]
            if expected is not None and expected != current:
                errors.append(
                    _err(
                        "CHANGE_FROM_QUANTITY_STALE",
                        [*path, "changeFromQuantity"],
                        "The changeFromQuantity value does not match persisted value.",
                    )
                )
        elif features.change_from_required:
            raise GraphQLError(
                f"InventoryQuantityInput.changeFromQuantity is required as of API version 2026-04 "
                f"(quantities[{i}]); pass null to skip the compare-and-swap check."
            )
        elif not data.get("ignoreCompareQuantity"):
            if q.get("compareQuantity") is None:
                errors.append(
                    _err(
                        "COMPARE_QUANTITY_REQUIRED",
                        [*path, "compareQuantity"],
                        "The compareQuantity argument must be given to each quantity or ignored "
                        "using ignoreCompareQuantity.",
                    )
                )
            elif q["compareQuantity"] != current:
                errors.append(
                    _err(
                        "COMPARE_QUANTITY_STALE",
                        [*path, "compareQuantity"],
                        "The compareQuantity value does not match persisted value.",
                    )
                )
        planned.append((level, q["quantity"]))
    if errors:
        ctx.fake.count("user_errors")
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    changes = []
    for level, quantity in planned:
        delta = quantity - level.get(name)
        state.change_quantity(level, name, delta)
        item, loc = state.items[level.item_id], state.locations[level.location_id]
        for shown in ("available", "on_hand"):
            changes.append(
                {
                    "name": shown,
                    "delta": delta,
                    "quantityAfterChange": level.get(shown),
                    "item": item,
                    "location": loc,
                    "ledgerDocumentUri": None,
                }
            )
    return {
        "inventoryAdjustmentGroup": _group(state, data["reason"], data.get("referenceDocumentUri"), changes),
        "userErrors": [],
    }


# --- inventoryAdjustQuantities ------------------------------------------------------------------------
@mutation("inventoryAdjustQuantities")
def _adjust_quantities(_, info, input):
    return _idempotent(info, input, lambda: _adjust(info, input))


def _adjust(info, data):
    ctx, state = info.context, info.context.state
    errors = _common_input_errors(data, ADJUST_NAMES, "INVALID_QUANTITY_NAME")
    name, planned = data["name"], []
    for i, change in enumerate(data["changes"]):
        path = ["input", "changes", str(i)]
        ledger = change.get("ledgerDocumentUri")
        if name == "available" and ledger:
            errors.append(
                _err(
                    "INVALID_AVAILABLE_DOCUMENT",
                    [*path, "ledgerDocumentUri"],
                    "A ledger document URI is not allowed when adjusting available.",
                )
            )
        elif name != "available" and not ledger:
            errors.append(
                _err(
                    "INVALID_QUANTITY_DOCUMENT",
                    [*path, "ledgerDocumentUri"],
                    "A ledger document URI is required except when adjusting available.",
                )
            )
        level = _level_or_errors(state, change, path, errors)
        if level is not None and ctx.features.change_from_quantity and "changeFromQuantity" in change:
            expected = change["changeFromQuantity"]
            if expected is not None and name in ADJUST_NAMES and expected != level.get(name):
                errors.append(
                    _err(
                        "CHANGE_FROM_QUANTITY_STALE",
                        [*path, "changeFromQuantity"],
                        "The changeFromQuantity value does not match persisted value.",
                    )
                )
        elif level is not None and ctx.features.change_from_required:
            raise GraphQLError(
                f"InventoryChangeInput.changeFromQuantity is required as of API version 2026-04 "
                f"(changes[{i}]); pass null to skip the compare-and-swap check."
            )
        if level is not None:
            after = level.get(name) + change["delta"] if name in ADJUST_NAMES else 0
            if after > 2 * LIMIT or after < -2 * LIMIT:
                code = "INVALID_QUANTITY_TOO_HIGH" if after > 0 else "INVALID_QUANTITY_TOO_LOW"
                errors.append(_err(code, [*path, "delta"], "The quantity is out of range."))
            planned.append((level, change["delta"], ledger))
    if errors:
        ctx.fake.count("user_errors")
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    changes = []
    for level, delta, ledger in planned:
        state.change_quantity(level, name, delta)
        item, loc = state.items[level.item_id], state.locations[level.location_id]
        shown_names = (name, "on_hand") if name != "incoming" else (name,)
        for shown in shown_names:
            changes.append(
                {
                    "name": shown,
                    "delta": delta,
                    "quantityAfterChange": level.get(shown),
                    "item": item,
                    "location": loc,
                    "ledgerDocumentUri": ledger if shown == name else None,
                }
            )
    return {
        "inventoryAdjustmentGroup": _group(state, data["reason"], data.get("referenceDocumentUri"), changes),
        "userErrors": [],
    }
