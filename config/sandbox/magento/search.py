"""searchCriteria as Magento's collections apply it: filters (OR inside a group, AND across
groups; ``filter_groups``/``filterGroups`` and ``condition_type``/``conditionType`` both read),
sort orders (descending when no direction is given), and paging whose out-of-range page answers
the last page again (the collection clamps ``currentPage``), unless ``repeat_last_page`` is off.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

FILTER = re.compile(
    r"searchCriteria\[(?:filter_groups|filterGroups)\]\[(\d+)\]\[filters\]\[(\d+)\]"
    r"\[(field|value|condition_type|conditionType)\]$"
)
SORT = re.compile(r"searchCriteria\[sortOrders\]\[(\d+)\]\[(field|direction)\]$")


class SearchError(Exception):
    """A 400 with Magento's message."""


@dataclass
class Criteria:
    groups: list[list[dict[str, str]]] = field(default_factory=list)
    sorts: list[tuple[str, str]] = field(default_factory=list)
    page_size: int | None = None
    current_page: int = 1

    def echo(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "filter_groups": [{"filters": g} for g in self.groups],
            "sort_orders": [{"field": f, "direction": d} for f, d in self.sorts],
            "current_page": self.current_page,
        }
        if self.page_size is not None:
            out["page_size"] = self.page_size
        return out


def criteria_parse(pairs: Sequence[tuple[str, str]]) -> Criteria:
    groups: dict[int, dict[int, dict[str, str]]] = {}
    sorts: dict[int, dict[str, str]] = {}
    criteria = Criteria()
    for name, value in pairs:
        if m := FILTER.match(name):
            key = "condition_type" if m.group(3) == "conditionType" else m.group(3)
            groups.setdefault(int(m.group(1)), {}).setdefault(int(m.group(2)), {})[key] = value
        elif m := SORT.match(name):
            sorts.setdefault(int(m.group(1)), {})[m.group(2)] = value
        elif name == "searchCriteria[pageSize]":
            criteria.page_size = int(value)
        elif name == "searchCriteria[currentPage]":
            criteria.current_page = max(int(value), 1)
    criteria.groups = [[groups[g][f] for f in sorted(groups[g])] for g in sorted(groups)]
    criteria.sorts = [(s["field"], (s.get("direction") or "DESC").upper()) for _, s in sorted(sorts.items())]
    return criteria


def _num(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _match(row_value: Any, condition: str, value: str) -> bool:
    if condition == "null":
        return row_value is None
    if condition == "notnull":
        return row_value is not None
    if condition in ("in", "nin"):
        found = str(row_value) in [v.strip() for v in value.split(",")]
        return found if condition == "in" else not found
    if condition == "like":
        pattern = "^" + re.escape(value).replace("%", ".*") + "$"
        return re.match(pattern, str(row_value or ""), re.IGNORECASE) is not None
    if row_value is None:
        return False
    a, b = _num(row_value), _num(value)
    if type(a) is not type(b):
        a, b = str(row_value), value
    ops: dict[str, Callable[[Any, Any], bool]] = {
        "eq": lambda x, y: x == y, "neq": lambda x, y: x != y, "gt": lambda x, y: x > y,
        "gteq": lambda x, y: x >= y, "from": lambda x, y: x >= y, "moreq": lambda x, y: x >= y,
        "lt": lambda x, y: x < y, "lteq": lambda x, y: x <= y, "to": lambda x, y: x <= y,
    }  # fmt: skip
    if condition not in ops:
        raise SearchError(f'Invalid condition type "{condition}"')
    return ops[condition](a, b)


def search(
    rows: Sequence[dict[str, Any]],
    criteria: Criteria,
    *,
    repeat_last_page: bool = True,
    max_page_size: int | None = None,
    default_page_size: int | None = None,
) -> dict[str, Any]:
    """``{"items", "search_criteria", "total_count"}`` for ``rows`` under ``criteria``."""
    if max_page_size is not None and criteria.page_size is not None and criteria.page_size > max_page_size:
        raise SearchError(f"Maximum SearchCriteria pageSize is {max_page_size}")
    found = [
        row
        for row in rows
        if all(
            any(
                _match(row.get(f["field"]), f.get("condition_type") or "eq", f.get("value", ""))
                for f in group
            )
            for group in criteria.groups
        )
    ]
    for field_name, direction in reversed(criteria.sorts):
        found.sort(
            key=lambda r: (r.get(field_name) is None, _num(r.get(field_name))), reverse=direction == "DESC"
        )
    total = len(found)
    size = criteria.page_size or default_page_size
    if size:
        last = max(1, math.ceil(total / size))
        page = criteria.current_page
        if page > last:
            page = last if repeat_last_page else None
        items = [] if page is None else found[(page - 1) * size : page * size]
    else:
        items = found
    return {"items": items, "search_criteria": criteria.echo(), "total_count": total}
