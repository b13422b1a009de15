"""Cursor pagination and the search ``query:`` syntax, as the Admin API exposes them.

Cursors are opaque to clients; like Shopify's they are base64 of a small JSON document
(``{"last_id": ..., "last_value": ...}``). A connection needs ``first`` or ``last``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import shlex
from collections.abc import Callable, Iterable

from graphql import GraphQLError

MAX_PAGE = 250


def encode_cursor(entity_id: int, value) -> str:
    raw = json.dumps({"last_id": entity_id, "last_value": value}, separators=(",", ":"), default=str)
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple:
    try:
        data = json.loads(base64.b64decode(cursor.encode(), validate=True))
        return (data["last_value"], data["last_id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise GraphQLError("Invalid cursor for current pagination sort.") from exc


def _comparable(value):
    return "" if value is None else str(value) if isinstance(value, dt.datetime) else value


def paginate(items: Iterable, args: dict, sort_value: Callable[[object], object]) -> dict:
    """A Relay connection over ``items`` ordered by (sort value, id), honouring first/last/after/before."""
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    for name, size in (("first", first), ("last", last)):
        if size is not None and not 0 <= size <= MAX_PAGE:
            raise GraphQLError(f"The '{name}' argument must be between 0 and {MAX_PAGE}.")
    keyed = sorted(((_comparable(sort_value(i)), i.id), i) for i in items)
    if args.get("reverse"):
        keyed.reverse()
    before_cut = False
    try:
        if args.get("after"):
            mark = tuple(decode_cursor(args["after"]))
            keyed = [(k, i) for k, i in keyed if (k < mark if args.get("reverse") else k > mark)]
            before_cut = True
        after_cut = False
        if args.get("before"):
            mark = tuple(decode_cursor(args["before"]))
            kept = [(k, i) for k, i in keyed if (k > mark if args.get("reverse") else k < mark)]
            after_cut, keyed = len(kept) < len(keyed), kept
    except TypeError as exc:  # a cursor made under another sortKey
        raise GraphQLError("Invalid cursor for current pagination sort.") from exc
    has_next = has_prev = False
    if first is not None:
        has_next = len(keyed) > first or after_cut
        keyed = keyed[:first]
        has_prev = before_cut
    if last is not None:
        has_prev = len(keyed) > last or before_cut
        keyed = keyed[len(keyed) - last :] if last else []
        has_next = has_next or after_cut
    edges = [{"cursor": encode_cursor(i.id, k[0]), "node": i} for k, i in keyed]
    return {
        "edges": edges,
        "nodes": [e["node"] for e in edges],
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_prev,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


_TERM = re.compile(r"^(?P<field>[a-z_]+):(?P<op>>=|<=|>|<|=)?(?P<value>.*)$")


def parse_search(query: str | None) -> list[tuple[str, str, str]]:
    """``updated_at:>='2026-01-01T00:00:00Z' sku:ABC`` -> [(field, op, value)]. AND is implicit."""
    if not query:
        return []
    terms = []
    for token in shlex.split(query):
        if token.upper() == "AND":
            continue
        match = _TERM.match(token)
        if match:
            terms.append((match["field"], match["op"] or "=", match["value"].strip("'\"")))
    return terms


def parse_time(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def compare(left, op: str, right) -> bool:
    if left is None or right is None:
        return False
    return {
        "=": left == right,
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }[op]


def matches(entity, terms: list[tuple[str, str, str]], fields: dict[str, Callable]) -> bool:
    """True when every known term matches; unknown fields are ignored, as Shopify ignores them."""
    for name, op, raw in terms:
        getter = fields.get(name)
        if getter is None:
            continue
        value = getter(entity)
        if isinstance(value, dt.datetime):
            if not compare(value, op, parse_time(raw)):
                return False
        elif isinstance(value, bool):
            if value != (raw.lower() == "true"):
                return False
        elif isinstance(value, int):
            if not raw.lstrip("-").isdigit() or not compare(value, op, int(raw)):
                return False
        elif raw.endswith("*"):
            if not str(value or "").lower().startswith(raw[:-1].lower()):
                return False
        elif not compare(str(value or "").lower(), op, raw.lower()):
            return False
    return True
