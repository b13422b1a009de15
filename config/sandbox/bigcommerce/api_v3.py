"""The v3 routes of the fake: catalog products and variants, inventory locations, items and
absolute adjustments, hooks. Each handler returns ``(status, body, headers)``."""

from __future__ import annotations

import time
import uuid

ERROR_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
ADJUSTMENT_MAX = 2000
HOOK_FIELDS = ("scope", "destination", "is_active", "headers")
PROBLEM = {"Content-Type": "application/problem+json"}


def error(status: int, title: str, errors: dict | None = None, headers: dict | None = None):
    body = {"status": status, "title": title, "type": ERROR_TYPE}
    if errors is not None:
        body["errors"] = errors
    return status, body, headers or {}


def _page(query: dict, *, default: int = 50, maximum: int = 250):
    try:
        page = max(int(query.get("page", 1)), 1)
        limit = int(query.get("limit", default))
    except ValueError:
        return None, None
    if limit < 1 or limit > maximum:
        return page, None
    return page, limit


def paginated(rows: list, page: int, limit: int) -> dict:
    total = len(rows)
    pages = max((total + limit - 1) // limit, 1)
    chunk = rows[(page - 1) * limit : page * limit]
    links = {"current": f"?page={page}&limit={limit}"}
    if page > 1:
        links["previous"] = f"?page={page - 1}&limit={limit}"
    if page < pages:
        links["next"] = f"?page={page + 1}&limit={limit}"
    meta = {
        "total": total,
        "count": len(chunk),
        "per_page": limit,
        "current_page": page,
        "total_pages": pages,
    }
    return {"data": chunk, "meta": {"pagination": {**meta, "links": links}}}


def _ids(value: str | None) -> set[str] | None:
    return None if value is None else {v.strip() for v in value.split(",") if v.strip()}


# --- catalog ---------------------------------------------------------------------------------------
def variant_json(state, variant) -> dict:
    holder = state.stock_variant(variant)
    level = state.levels[(holder.id, state.default_location())]["onhand"] if holder else 0
    return {
        "id": variant.id,
        "product_id": variant.product_id,
        "sku": variant.sku,
        "sku_id": variant.sku_id,
        "inventory_level": level,
        "inventory_warning_level": 0,
        "purchasing_disabled": False,
        "option_values": variant.option_values,
    }


def product_json(state, product, *, variants: bool, fields: set[str] | None) -> dict:
    base = state.variants.get(product.base_variant_id or 0)
    level = 0
    if product.inventory_tracking == "product" and base is not None:
        level = state.levels[(base.id, state.default_location())]["onhand"]
    elif product.inventory_tracking == "variant":
        level = sum(state.levels[(v, state.default_location())]["onhand"] for v in product.variant_ids)
    data = {
        "id": product.id,
        "name": product.name,
        "type": "physical",
        "sku": product.sku,
        "inventory_tracking": product.inventory_tracking,
        "inventory_level": level,
        "base_variant_id": product.base_variant_id,
        "date_modified": "2026-01-01T00:00:00+00:00",
    }
    if fields:
        data = {k: v for k, v in data.items() if k in fields or k == "id"}
    if variants:
        data["variants"] = [variant_json(state, state.variants[v]) for v in product.variant_ids]
    return data


def products_list(state, query: dict):
    page, limit = _page(query)
    if limit is None:
        return error(422, "The filter(s): limit is invalid", {"limit": "must be between 1 and 250"})
    include = _ids(query.get("include")) or set()
    fields = _ids(query.get("include_fields"))
    with state.lock:
        rows = sorted(state.products.values(), key=lambda p: p.id)
        if "sku" in query:
            rows = [p for p in rows if p.sku == query["sku"]]
        if "id:in" in query:
            rows = [p for p in rows if str(p.id) in _ids(query["id:in"])]
        data = [product_json(state, p, variants="variants" in include, fields=fields) for p in rows]
    return 200, paginated(data, page, limit), {}


def variants_list(state, query: dict):
    page, limit = _page(query)
    if limit is None:
        return error(422, "The filter(s): limit is invalid", {"limit": "must be between 1 and 250"})
    with state.lock:
        rows = [variant_json(state, v) for v in sorted(state.variants.values(), key=lambda v: v.id)]
    if "sku" in query:
        rows = [v for v in rows if v["sku"] == query["sku"]]
    return 200, paginated(rows, page, limit), {}


# --- inventory -------------------------------------------------------------------------------------
def locations_list(state, query: dict):
    page, limit = _page(query)
    if limit is None:
        return error(422, "The filter(s): limit is invalid")
    with state.lock:
        rows = [dict(loc) for loc in state.locations.values()]
    if "is_default" in query:
        wanted = query["is_default"] == "true"
        rows = [r for r in rows if r["is_default"] is wanted]
    if "location_id:in" in query:
        rows = [r for r in rows if str(r["id"]) in _ids(query["location_id:in"])]
    for row in rows:
        row.pop("is_default")
    return 200, paginated(rows, page, limit), {}


def items_list(state, query: dict, location_id: int | None = None):
    page, limit = _page(query, default=50, maximum=1000)
    if limit is None:
        return error(422, "The filter(s): limit is invalid")
    if location_id is not None and location_id not in state.locations:
        return error(404, f"Location with id [{location_id}] not found")
    variant_in, product_in, sku_in = (
        _ids(query.get("variant_id:in")),
        _ids(query.get("product_id:in")),
        _ids(query.get("sku:in")),
    )
    locations = _ids(query.get("location_id:in"))
    rows = []
    with state.lock:
        for variant in sorted(state.variants.values(), key=lambda v: v.id):
            holder = state.stock_variant(variant)
            if holder is None or holder.id != variant.id:
                continue  # untracked, or an option variant of a product tracked by product
            if variant_in is not None and str(variant.id) not in variant_in:
                continue
            if product_in is not None and str(variant.product_id) not in product_in:
                continue
            if sku_in is not None and variant.sku not in sku_in:
                continue
            spots = []
            for loc_id, loc in sorted(state.locations.items()):
                if location_id is not None and loc_id != location_id:
                    continue
                if locations is not None and str(loc_id) not in locations:
                    continue
                level = state.levels[(variant.id, loc_id)]
                spots.append(
                    {
                        "location_id": loc_id,
                        "location_code": loc["code"],
                        "location_name": loc["label"],
                        "available_to_sell": max(level["onhand"] - level["safety"], 0),
                        "total_inventory_onhand": level["onhand"],
                        "location_enabled": loc["enabled"],
                        "settings": {
                            "safety_stock": level["safety"],
                            "is_in_stock": level["onhand"] - level["safety"] > 0,
                            "warning_level": 0,
                            "bin_picking_number": "",
                        },
                    }
                )
            identity = {"sku": variant.sku, "variant_id": variant.id, "product_id": variant.product_id}
            identity["sku_id"] = variant.sku_id
            rows.append({"identity": identity, "locations": spots})
    return 200, paginated(rows, page, limit), {}


def _adjust_target(state, item: dict):
    """(variant holding the stock, location) of one adjustment item, or an error title."""
    keys = [k for k in ("sku", "variant_id", "product_id") if k in item]
    if (
        len(keys) != 1
        or not isinstance(item.get("location_id"), int)
        or not isinstance(item.get("quantity"), int)
    ):
        return None, "items must have location_id, quantity and exactly one of sku, variant_id, product_id"
    if item["location_id"] not in state.locations:
        return None, f"[Location with id {item['location_id']} not found]"
    if not 0 <= item["quantity"] <= 2_147_483_647:
        return None, "[quantity must be between 0 and 2147483647]"
    key = keys[0]
    if key == "product_id":
        product = state.products.get(item["product_id"])
        if product is None:
            return None, f"[Item with product_id {item['product_id']} not found]"
        if product.inventory_tracking != "product":
            return None, (
                f"[Item with product_id {product.id} is tracked by {product.inventory_tracking}, "
                "please update stock by variant id]"
            )
        return state.variants[product.base_variant_id or product.variant_ids[0]], None
    variant = (
        state.variants.get(item["variant_id"])
        if key == "variant_id"
        else state.variant_by_sku(str(item["sku"]))
    )
    if variant is None:
        return None, f"[Item with {key} {item[key]} not found]"
    product = state.products[variant.product_id]
    if product.inventory_tracking != "variant":
        return None, (
            f"[Item with {key} {item[key]} is tracked by {product.inventory_tracking}, "
            "please update stock by product id]"
        )
    return variant, None


def adjust_absolute(state, body):
    """PUT /v3/inventory/adjustments/absolute: all or nothing, at most 2,000 items."""
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        return error(422, "JSON data is missing or invalid", {"items": "error.path.missing"}, PROBLEM)
    items = body["items"]
    if len(items) > ADJUSTMENT_MAX:
        return error(413, f"The request exceeds the limit of {ADJUSTMENT_MAX} items; {len(items)} were sent")
    if "reason" in body and not isinstance(body["reason"], str):
        return error(422, "reason must be a string", {}, PROBLEM)
    with state.lock:
        targets = []
        for item in items:
            if not isinstance(item, dict):
                return error(422, "items must be objects", {}, PROBLEM)
            variant, problem = _adjust_target(state, item)
            if problem:
                return error(422, problem, {}, PROBLEM)
            targets.append((variant, item))
        for variant, item in targets:
            level = state.levels[(variant.id, item["location_id"])]
            level["onhand"] = item["quantity"]
            level["set"] = True
        transaction = str(uuid.uuid4())
        state.adjustments.append(
            {"transaction_id": transaction, "reason": body.get("reason"), "items": items}
        )
    return 200, {"transaction_id": transaction}, {}


# --- hooks -----------------------------------------------------------------------------------------
def _hook_problem(body, *, partial: bool) -> dict | None:
    if not isinstance(body, dict):
        return {"body": "error.path.missing"}
    if not partial:
        missing = {k: "error.path.missing." for k in ("scope", "destination") if not body.get(k)}
        if missing:
            return missing
    elif not any(k in body for k in HOOK_FIELDS):
        return {"body": "At least one field is required"}
    given = body.get("headers")
    if given is not None and (
        not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values())
    ):
        return {"headers": "must be an object of strings"}
    if "is_active" in body and not isinstance(body["is_active"], bool):
        return {"is_active": "must be a boolean"}
    return None


def hooks_list(state, account, query: dict):
    page, limit = _page(query)
    if limit is None:
        return error(422, "The filter(s): limit is invalid")
    with state.lock:
        rows = [dict(h) for h in state.hooks.values() if h["client_id"] == account.client_id]
    if "is_active" in query:
        wanted = query["is_active"] == "true"
        rows = [h for h in rows if h["is_active"] is wanted]
    for key in ("scope", "destination"):
        if key in query:
            rows = [h for h in rows if h[key] == query[key]]
    return 200, paginated(sorted(rows, key=lambda h: h["id"]), page, limit), {}


def hook_create(state, account, body, *, strict_destination: bool):
    problem = _hook_problem(body, partial=False)
    if problem:
        return error(422, "JSON data is missing or invalid", problem)
    if strict_destination and not str(body["destination"]).startswith("https://"):
        return error(422, "JSON data is missing or invalid", {"destination": "must be https on port 443"})
    with state.lock:
        same = [
            h
            for h in state.hooks.values()
            if h["client_id"] == account.client_id and h["scope"] == body["scope"]
        ]
        if any(h["destination"] == body["destination"] for h in same):
            return error(422, "A webhook for this scope and destination already exists")
        if len(same) >= 10:
            return error(422, "At most 10 webhooks per scope")
        now = int(time.time())
        hook = {
            "id": next(state.ids),
            "client_id": account.client_id,
            "store_hash": state.store_hash,
            "created_at": now,
            "updated_at": now,
            "scope": body["scope"],
            "destination": body["destination"],
            "is_active": body.get("is_active", True),
            "headers": body.get("headers"),
        }
        state.hooks[hook["id"]] = hook
        return 200, {"data": dict(hook), "meta": {}}, {}


def hook_get(state, account, hook_id: int):
    with state.lock:
        hook = state.hooks.get(hook_id)
        if hook is None or hook["client_id"] != account.client_id:
            return error(404, f"Webhook with id [{hook_id}] not found")
        return 200, {"data": dict(hook), "meta": {}}, {}


def hook_update(state, account, hook_id: int, body):
    problem = _hook_problem(body, partial=True)
    if problem:
        return error(422, "JSON data is missing or invalid", problem)
    with state.lock:
        hook = state.hooks.get(hook_id)
        if hook is None or hook["client_id"] != account.client_id:
            return error(404, f"Webhook with id [{hook_id}] not found")
        hook.update({k: body[k] for k in HOOK_FIELDS if k in body})
        hook["updated_at"] = int(time.time())
        return 200, {"data": dict(hook), "meta": {}}, {}


def hook_delete(state, account, hook_id: int):
    with state.lock:
        hook = state.hooks.get(hook_id)
        if hook is None or hook["client_id"] != account.client_id:
            return error(404, f"Webhook with id [{hook_id}] not found")
        del state.hooks[hook_id]
        return 200, {"data": hook, "meta": {}}, {}


def hooks_admin(state, account):
    with state.lock:
        rows = [dict(h) for h in state.hooks.values() if h["client_id"] == account.client_id]
    for row in rows:
        row["status"] = "active" if row["is_active"] else "deactivated"
    emails = ["seller@example.com"]
    return 200, {"data": {"emails": emails, "hooks_list": rows, "blocked_domains": []}, "meta": {}}, {}
