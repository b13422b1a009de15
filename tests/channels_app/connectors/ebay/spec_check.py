"""Validation of what the connector sent against eBay's published OpenAPI contracts in
``../shared/specs/ebay`` (never copied here); tests skip when the folder is absent."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[4]
SPECS = ROOT.parent / "shared" / "specs" / "ebay" / "specs"
FILES = {
    "/sell/inventory/v1": "sell_inventory_v1_oas3.json",
    "/sell/fulfillment/v1": "sell_fulfillment_v1_oas3.json",
    "/commerce/notification/v1": "commerce_notification_v1_oas3.json",
}


def needs_specs():
    if not SPECS.is_dir():
        pytest.skip("../shared/specs/ebay is absent")


@cache
def _spec(name: str) -> dict:
    return json.loads((SPECS / name).read_text(encoding="utf-8"))


def _operation(method: str, path: str) -> tuple[dict, dict]:
    for base, name in FILES.items():
        if path.startswith(base):
            spec = _spec(name)
            rest = path[len(base) :]
            for template, item in spec["paths"].items():
                pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
                if re.match(pattern, rest) and method.lower() in item:
                    return spec, item[method.lower()]
            raise AssertionError(f"{method} {path}: no such operation in {name}")
    raise AssertionError(f"{path}: not an API of the specs")


def _strict(schema: dict, spec: dict, value: object, where: str) -> None:
    """Every property we send is declared (eBay's schemas do not forbid extras themselves)."""
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        for key, item in value.items():
            assert key in properties, f"{where}: {key!r} is not in the spec"
            _strict(properties[key], spec, item, f"{where}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            _strict(schema["items"], spec, item, f"{where}[]")


def request_validate(request: dict) -> None:
    """One logged request of the fake (method, path, query, headers, body) against the spec."""
    spec, operation = _operation(request["method"], request["path"])
    declared = {p["name"] for p in operation.get("parameters") or [] if p.get("in") == "query"}
    unknown = set(request["query"]) - declared
    assert not unknown, f"{request['method']} {request['path']}: undeclared query {sorted(unknown)}"
    for parameter in operation.get("parameters") or []:
        if parameter.get("in") == "header" and parameter.get("required"):
            assert parameter["name"] in request["headers"], (
                f"{request['path']}: header {parameter['name']} missing"
            )
    body_spec = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
    if body_spec is None:
        assert request["body"] is None, f"{request['path']}: a body where the spec has none"
        return
    schema = {**body_spec["schema"], "components": spec["components"]}
    jsonschema.validate(request["body"], schema)
    _strict(body_spec["schema"], spec, request["body"], request["path"])


def all_validate(requests: list[dict]) -> int:
    """Validate every API request of the log; how many were checked."""
    checked = 0
    for request in requests:
        if request["path"].startswith(tuple(FILES)):
            request_validate(request)
            checked += 1
    return checked
