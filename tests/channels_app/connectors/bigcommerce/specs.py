"""Check what the connector sent to the fake against BigCommerce's own OpenAPI files in
``/work/shared/specs/bigcommerce`` (``../shared/specs`` of the checkout; never copied here).

:func:`request_problems` finds the operation of one request (method and path under ``v2/`` or
``v3/``), then checks that every query parameter is one the operation declares and validates the
JSON body against the operation's ``requestBody`` schema (jsonschema, local ``$ref`` inlined).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

SPEC_DIR = Path(__file__).resolve().parents[5] / "shared" / "specs" / "bigcommerce" / "reference"
FILES = {
    "v3": (
        "inventory.v3.yml",
        "webhooks.v3.yml",
        "locations.v3.yml",
        "catalog/product-variants_catalog.v3.yml",
    ),
    "v2": ("orders.v2.oas2.yml",),
}
# The catalog products file is not vendored (MANIFEST): requests to it are checked by the fake only.
NOT_VENDORED = ("v3/catalog/products",)


def specs_or_skip() -> None:
    if not SPEC_DIR.is_dir():
        pytest.skip(f"BigCommerce specs not present at {SPEC_DIR}")


@cache
def _load(name: str) -> dict:
    import yaml

    return yaml.safe_load((SPEC_DIR / name).read_text())


def _inline(node, root: dict, depth: int = 0):
    if depth > 40:
        return {}
    if isinstance(node, dict):
        if "$ref" in node and node["$ref"].startswith("#/"):
            target = root
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            return _inline(target, root, depth + 1)
        return {k: _inline(v, root, depth + 1) for k, v in node.items() if k not in ("example", "examples")}
    if isinstance(node, list):
        return [_inline(v, root, depth + 1) for v in node]
    return node


def operation(method: str, path: str) -> tuple[dict, dict, dict] | None:
    """(operation, path item, whole spec) of ``method`` ``v3/...``, or None if no vendored file has it."""
    version, _, rest = path.partition("/")
    for name in FILES.get(version, ()):
        spec = _load(name)
        for template, item in spec["paths"].items():
            pattern = re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template.lstrip("/")))
            if re.fullmatch(pattern, rest) and method.lower() in item:
                return item[method.lower()], item, spec
    return None


def request_problems(method: str, path: str, query: dict, body) -> list[str]:
    """What in this request the spec does not allow (empty: nothing, or not covered: see NOT_VENDORED)."""
    import jsonschema

    found = operation(method, path)
    if found is None:
        return [] if path.startswith(NOT_VENDORED) else [f"{method} {path}: no such operation in the specs"]
    op, item, spec = found
    params = [_inline(p, spec) for p in [*item.get("parameters", []), *op.get("parameters", [])]]
    declared = {p["name"] for p in params if p.get("in") == "query"}
    problems = [
        f"{method} {path}: undeclared query parameter {name!r}" for name in query if name not in declared
    ]
    content = ((op.get("requestBody") or {}) and _inline(op["requestBody"], spec).get("content")) or {}
    schema = (content.get("application/json") or {}).get("schema")
    if body is not None and schema is None:
        problems.append(f"{method} {path}: the operation takes no JSON body")
    if body is not None and schema is not None:
        for error in jsonschema.Draft7Validator(schema).iter_errors(body):
            problems.append(f"{method} {path}: {error.message} at {list(error.absolute_path)}")
    return problems
