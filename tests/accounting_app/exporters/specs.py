"""The vendors' published schemas, read for tests (never copied into the project).

``<repo root>/../shared/specs`` holds XeroAPI/Xero-OpenAPI ``xero_accounting.yaml`` (loaded without
OpenAPI validation: it is not strictly valid) and the QuickBooks XSDs of
intuit/QuickBooks-V3-Java-SDK. Tests using them are skipped when the folder is absent.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings

SPECS = Path(settings.BASE_DIR).parent / "shared" / "specs"
XERO_YAML = SPECS / "xero" / "xero_accounting.yaml"
QBO_XSD = SPECS / "quickbooks" / "xsd"
XS = "{http://www.w3.org/2001/XMLSchema}"

needs_xero_spec = pytest.mark.skipif(not XERO_YAML.exists(), reason="Xero OpenAPI spec not available")
needs_qbo_xsd = pytest.mark.skipif(not QBO_XSD.exists(), reason="QuickBooks XSDs not available")


# --- Xero ------------------------------------------------------------------------------------------


@functools.cache
def xero_schemas() -> dict:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with XERO_YAML.open() as handle:
        return yaml.load(handle, Loader=loader)["components"]["schemas"]  # noqa: S506 - a safe loader


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = xero_schemas()[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def xero_errors(body, schema_name: str) -> list[str]:
    """jsonschema errors of ``body`` against components.schemas[schema_name], plus every key
    the schema does not define (the spec allows extra keys; Xero ignores them silently)."""
    import jsonschema
    from referencing import Registry, Resource

    root = {"components": {"schemas": xero_schemas()}}
    registry = Registry().with_resource("urn:xero", Resource.opaque(root))
    validator = jsonschema.Draft4Validator(
        {"$ref": f"urn:xero#/components/schemas/{schema_name}"}, registry=registry
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    errors += _unknown_keys(body, {"$ref": f"#/components/schemas/{schema_name}"}, "")
    return errors


def _unknown_keys(value, schema: dict, where: str) -> list[str]:
    schema = _resolve(schema)
    found = []
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if key not in schema["properties"]:
                found.append(f"{where}.{key}: not in the schema")
            else:
                found += _unknown_keys(item, schema["properties"][key], f"{where}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += _unknown_keys(item, schema["items"], f"{where}[{index}]")
    return found


# --- QuickBooks ------------------------------------------------------------------------------------


@functools.cache
def qbo_types() -> tuple[dict, dict]:
    """(complexType name -> element, simpleType name -> enumeration values) of every XSD."""
    complex_types, enums = {}, {}
    for path in sorted(QBO_XSD.glob("*.xsd")):
        root = ET.parse(path).getroot()  # noqa: S314 - the vendor's published files, read-only
        for node in root.findall(XS + "complexType"):
            complex_types[node.get("name")] = node
        for node in root.findall(XS + "simpleType"):
            enums[node.get("name")] = [e.get("value") for e in node.iter(XS + "enumeration")]
    return complex_types, enums


@functools.cache
def qbo_fields(type_name: str) -> tuple[tuple[str, str], ...]:
    """Ordered (element name, type name) of a complexType, base types first."""
    complex_types, _ = qbo_types()
    node = complex_types.get(type_name)
    if node is None:
        return ()
    fields: list[tuple[str, str]] = []
    for extension in node.iter(XS + "extension"):
        fields += qbo_fields(extension.get("base").split(":")[-1])
    for element in node.iter(XS + "element"):
        if element.get("name"):
            fields.append((element.get("name"), (element.get("type") or "").split(":")[-1]))
    return tuple(fields)


def qbo_errors(body: dict, type_name: str, where: str = "") -> list[str]:
    """Keys of ``body`` that the XSD type does not have, keys out of the XSD's order, enum
    values outside the XSD's enumerations; recursing into nested types (ReferenceType is
    ``{"value", "name"}`` in JSON)."""
    if type_name == "ReferenceType":
        extra = set(body) - {"value", "name", "type"}
        return [f"{where}: ReferenceType has no {sorted(extra)}"] if extra or "value" not in body else []
    fields = qbo_fields(type_name)
    if not fields:
        return [f"{where}: unknown type {type_name}"]
    order = [name for name, _ in fields]
    types = dict(fields)
    _, enums = qbo_types()
    errors = []
    positions = []
    for key, value in body.items():
        if key not in types:
            errors.append(f"{where}.{key}: not an element of {type_name}")
            continue
        positions.append(order.index(key))
        child = types[key]
        if isinstance(value, dict):
            errors += qbo_errors(value, child, f"{where}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                errors += qbo_errors(item, child, f"{where}.{key}[{index}]") if isinstance(item, dict) else []
        elif child in enums and enums[child] and str(value) not in enums[child]:
            errors.append(f"{where}.{key}: {value!r} is not one of {type_name}.{key} values")
    if positions != sorted(positions):
        errors.append(f"{where}: elements out of the XSD order: {list(body)}")
    return errors
