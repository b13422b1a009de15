"""Magento's admin REST schema (Swagger 2.0), read for tests from ../shared/specs (never copied).

``admin-schema-2.4.9.yaml`` is not strictly valid: ``info.description`` is a ``$ref`` object; it is
patched in memory on load. Tests using it are skipped when the folder is absent.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

SPEC = (
    Path(settings.BASE_DIR).parent
    / "shared"
    / "specs"
    / "magento"
    / "src"
    / "openapi"
    / "admin-schema-2.4.9.yaml"
)
needs_magento_spec = pytest.mark.skipif(not SPEC.exists(), reason="Magento admin schema not available")


@functools.cache
def spec() -> dict:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC.open() as handle:
        data = yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader
    data["info"]["description"] = "patched: the file has a $ref object here"
    return data


def _operation(method: str, resource: str) -> tuple[str, dict]:
    for path, item in spec()["paths"].items():
        pattern = (
            "^" + re.sub(r"\{[^}]+\}", "[^/]+", re.escape(path).replace(r"\{", "{").replace(r"\}", "}")) + "$"
        )
        if re.match(pattern, f"/V1/{resource}") and method.lower() in item:
            return path, item[method.lower()]
    raise AssertionError(f"{method} /V1/{resource} is not in Magento's schema")


def request_errors(
    *, method: str, resource: str, query: list[tuple[str, str]], body: Any, bulk: bool = False
) -> list[str]:
    """What is wrong with a request we sent: an unknown path, a query name the operation does not
    declare (indices normalised to 0), a body invalid against its schema."""
    import jsonschema
    from referencing import Registry, Resource

    path, operation = _operation(method, resource)
    params = operation.get("parameters") or []
    declared = {p["name"] for p in params if p.get("in") == "query"}
    errors = []
    for name, _ in query:
        normal = re.sub(r"\[\d+\]", "[0]", name)
        normal = normal.replace("[filter_groups]", "[filterGroups]").replace(
            "[condition_type]", "[conditionType]"
        )
        if normal not in declared:
            errors.append(f"{path}: query parameter {name!r} not declared")
    schemas = [p["schema"] for p in params if p.get("in") == "body"]
    if schemas:
        registry = Registry().with_resource("urn:magento", Resource.opaque(spec()))
        schema = _rebase(schemas[0])
        if bulk:
            schema = {"type": "array", "items": schema}
        validator = jsonschema.Draft4Validator(schema, registry=registry)
        errors += [f"{path}: {list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    elif body is not None:
        errors.append(f"{path}: takes no body")
    return errors


def _rebase(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: (f"urn:magento{v}" if k == "$ref" else _rebase(v)) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_rebase(v) for v in schema]
    return schema
