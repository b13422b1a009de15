"""Calculated query cost and the leaky bucket (Shopify's GraphQL Admin API rate limit).

Cost rules (Shopify "GraphQL Admin API rate limits"; see README.md): scalars and enums cost 0, an
object costs 1, a connection costs 2 plus ``first``/``last`` times the cost of one node, a mutation
costs 10; a single query may not request more than 1000. The requested cost is computed before
execution from the arguments; the actual cost afterwards from what was returned, and the difference
is refunded to the bucket.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
    is_leaf_type,
    value_from_ast_untyped,
)

MUTATION_COST = 10
CONNECTION_COST = 2
OBJECT_COST = 1
SINGLE_QUERY_MAX = 1000

# Plan presets: (bucket size "maximumAvailable", "restoreRate" points/second).
PLANS: dict[str, tuple[float, float]] = {
    "standard": (1000.0, 50.0),
    "plus": (2000.0, 100.0),
}


def pick_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        return next((o for o in ops if o.name and o.name.value == operation_name), None)
    return ops[0] if len(ops) == 1 else None


class _Walker:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: dict | None) -> None:
        self.schema = schema
        self.variables = variables or {}
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def fields(self, parent_type, selection_set):
        """(FieldNode, concrete parent type) pairs, fragments expanded."""
        for sel in selection_set.selections if selection_set else ():
            if isinstance(sel, FieldNode):
                yield sel, parent_type
            elif isinstance(sel, InlineFragmentNode):
                t = self.schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent_type
                yield from self.fields(t, sel.selection_set)
            elif isinstance(sel, FragmentSpreadNode):
                frag = self.fragments.get(sel.name.value)
                if frag is not None:
                    yield from self.fields(
                        self.schema.get_type(frag.type_condition.name.value), frag.selection_set
                    )

    def arg(self, node: FieldNode, name: str):
        for a in node.arguments or ():
            if a.name.value == name:
                return value_from_ast_untyped(a.value, self.variables)
        return None

    def cost(self, parent_type, selection_set, data) -> int:
        """Cost of a selection; ``data`` is the returned object (actual cost) or ``...`` (requested)."""
        total = 0
        for node, ptype in self.fields(parent_type, selection_set):
            name = node.name.value
            fields = getattr(ptype, "fields", None)
            if name.startswith("__") or not fields or name not in fields:
                continue
            ftype = get_named_type(fields[name].type)
            if is_leaf_type(ftype):
                continue
            key = node.alias.value if node.alias else name
            value = data if data is ... else (data.get(key) if isinstance(data, dict) else None)
            if data is not ... and value is None:
                continue
            if ftype.name.endswith("Connection"):
                total += CONNECTION_COST + self.connection(ftype, node, value)
            elif data is not ... and isinstance(value, list):  # a plain list costs like one object
                total += OBJECT_COST + max(
                    (self.cost(ftype, node.selection_set, v) for v in value if v), default=0
                )
            else:
                total += OBJECT_COST + self.cost(ftype, node.selection_set, value)
        return total

    def connection(self, conn_type, node: FieldNode, value) -> int:
        size = self.arg(node, "first") or self.arg(node, "last") or 0
        total = 0
        for sub, _ in self.fields(conn_type, node.selection_set):
            sub_key = sub.alias.value if sub.alias else sub.name.value
            node_type = get_named_type(conn_type.fields["nodes"].type)
            if sub.name.value == "nodes":
                items = [...] * int(size) if value is ... else (value.get(sub_key) or [])
                total += sum(OBJECT_COST + self.cost(node_type, sub.selection_set, item) for item in items)
            elif sub.name.value == "edges":
                edges = [...] * int(size) if value is ... else (value.get(sub_key) or [])
                for edge in edges:
                    for inner, _ in self.fields(
                        get_named_type(conn_type.fields["edges"].type), sub.selection_set
                    ):
                        if inner.name.value != "node":
                            continue
                        item = edge if edge is ... else edge.get(inner.alias.value if inner.alias else "node")
                        total += OBJECT_COST + self.cost(node_type, inner.selection_set, item)
        return total


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: dict | None,
    data=...,
) -> int:
    """Requested cost (``data`` omitted) or actual cost (``data`` = the response's data) of an operation."""
    walker = _Walker(schema, document, variables)
    if operation.operation == OperationType.MUTATION:
        root = schema.mutation_type
        total = 0
        for node, _ in walker.fields(root, operation.selection_set):
            if node.name.value.startswith("__"):
                continue
            payload_type = get_named_type(root.fields[node.name.value].type)
            key = node.alias.value if node.alias else node.name.value
            value = data if data is ... else (data or {}).get(key)
            total += MUTATION_COST
            if value is not None:
                total += walker.cost(payload_type, node.selection_set, value)
        return total
    return walker.cost(schema.query_type, operation.selection_set, data)


class LeakyBucket:
    """Per-shop bucket of cost points, refilled continuously at ``restore_rate`` per second."""

    def __init__(
        self, maximum: float, restore_rate: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.maximum = float(maximum)
        self.restore_rate = float(restore_rate)
        self._clock = clock
        self._available = float(maximum)
        self._at = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._available = min(self.maximum, self._available + (now - self._at) * self.restore_rate)
        self._at = now

    def try_take(self, cost: float) -> bool:
        """Take ``cost`` points if the bucket holds them; False (nothing taken) otherwise."""
        with self._lock:
            self._refill()
            if cost > self._available:
                return False
            self._available -= cost
            return True

    def refund(self, points: float) -> None:
        with self._lock:
            self._refill()
            self._available = min(self.maximum, self._available + max(points, 0))

    def drain(self, to: float = 0.0) -> None:
        """Test helper: leave only ``to`` points in the bucket."""
        with self._lock:
            self._refill()
            self._available = float(to)

    def status(self) -> dict:
        with self._lock:
            self._refill()
            return {
                "maximumAvailable": self.maximum,
                "currentlyAvailable": math.floor(self._available),
                "restoreRate": self.restore_rate,
            }
