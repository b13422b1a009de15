"""Validation against Amazon's own published models, read from `<repo root>/../shared/specs/amazon`.

The specs are test fixtures outside the repository (never copied into it): `specs_dir()` is None
when the folder is absent, and tests skip. `SwaggerModel` checks an operation's responses (status
documented, body against the response schema, documented headers present) and requests (required
query parameters, enums, body against the body schema). Used by the fake's own tests and meant for
the connector's tests, which validate what the connector sent (FakeAmazon.requests).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

REPO_ROOT = Path(__file__).resolve().parents[3]

MODELS = {
    "orders": "models/orders-api-model/ordersV0.json",
    "listings": "models/listings-items-api-model/listingsItems_2021-08-01.json",
    "feeds": "models/feeds-api-model/feeds_2021-06-30.json",
}
LISTINGS_FEED_SCHEMA = "schemas/feeds/listings-feed-schema-v2.json"
PROCESSING_REPORT_SCHEMA = "schemas/feeds/listings-feed-processing-report-schema-v2.json"


def specs_dir() -> Path | None:
    """`<repo root>/../shared/specs/amazon` when it exists."""
    path = REPO_ROOT.parent / "shared" / "specs" / "amazon"
    return path if path.is_dir() else None


class SwaggerModel:
    """One Swagger 2.0 model of the SP-API."""

    def __init__(self, path: Path) -> None:
        self.document = json.loads(path.read_text(encoding="utf-8"))
        self.definitions = self.document.get("definitions", {})
        self.operations: dict[str, tuple[str, str, dict]] = {}
        for route, item in self.document["paths"].items():
            for method, operation in item.items():
                if method != "parameters":
                    self.operations[operation["operationId"]] = (method.upper(), route, operation)

    def _schema(self, schema: dict) -> dict:
        return {**schema, "definitions": self.definitions}

    def validate_response(self, operation_id: str, status: int, body: Any, headers: Any = None) -> None:
        """Raise if the answer is not one the model documents for `operation_id`."""
        _, _, operation = self.operations[operation_id]
        documented = operation["responses"].get(str(status))
        if documented is None:
            raise AssertionError(f"{operation_id} does not document HTTP {status}")
        schema = documented.get("schema")
        if schema is None:
            if body not in (None, b"", ""):
                raise AssertionError(f"{operation_id} {status} documents no body, got {body!r}")
        else:
            jsonschema.Draft4Validator(self._schema(schema)).validate(body)
        if headers is not None:
            missing = [h for h in documented.get("headers", {}) if headers.get(h) is None]
            if missing:
                raise AssertionError(f"{operation_id} {status} lacks documented headers {missing}")

    def validate_request(
        self, operation_id: str, *, query: dict[str, Any] | None = None, body: Any = None
    ) -> None:
        """Raise if a request's query parameters or body break the model of `operation_id`."""
        _, _, operation = self.operations[operation_id]
        query = query or {}
        for parameter in operation.get("parameters", []):
            name, where = parameter["name"], parameter["in"]
            if where == "body":
                jsonschema.Draft4Validator(self._schema(parameter["schema"])).validate(body)
                continue
            if where != "query":
                continue
            raw = query.get(name)
            if raw is None or raw == []:
                if parameter.get("required"):
                    raise AssertionError(f"{operation_id}: query parameter {name} is required")
                continue
            values = raw if isinstance(raw, list) else [raw]
            if parameter.get("type") == "array":
                values = [v for value in values for v in str(value).split(",")]
                if "maxItems" in parameter and len(values) > parameter["maxItems"]:
                    raise AssertionError(
                        f"{operation_id}: {name} takes at most {parameter['maxItems']} values"
                    )
                allowed = parameter.get("items", {}).get("enum")
            else:
                allowed = parameter.get("enum")
            if allowed:
                wrong = [v for v in values if v not in allowed]
                if wrong:
                    raise AssertionError(f"{operation_id}: {name} values {wrong} not in {allowed}")
            if parameter.get("type") == "integer":
                for value in values:
                    number = int(value)
                    if "minimum" in parameter and number < parameter["minimum"]:
                        raise AssertionError(f"{operation_id}: {name} below {parameter['minimum']}")
                    if "maximum" in parameter and number > parameter["maximum"]:
                        raise AssertionError(f"{operation_id}: {name} above {parameter['maximum']}")


@cache
def model(name: str) -> SwaggerModel:
    """The model "orders", "listings" or "feeds" (requires specs_dir())."""
    base = specs_dir()
    assert base is not None, "shared/specs/amazon is absent"
    return SwaggerModel(base / MODELS[name])


@cache
def json_schema(relative: str) -> dict:
    """A JSON Schema under shared/specs/amazon (e.g. LISTINGS_FEED_SCHEMA)."""
    base = specs_dir()
    assert base is not None, "shared/specs/amazon is absent"
    return json.loads((base / relative).read_text(encoding="utf-8"))


def validate_listings_feed(document: Any) -> None:
    """Raise unless `document` is a valid JSON_LISTINGS_FEED (listings-feed-schema-v2.json)."""
    jsonschema.Draft7Validator(json_schema(LISTINGS_FEED_SCHEMA)).validate(document)


def validate_processing_report(document: Any) -> None:
    """Raise unless `document` is a valid listings feed processing report."""
    jsonschema.Draft7Validator(json_schema(PROCESSING_REPORT_SCHEMA)).validate(document)
