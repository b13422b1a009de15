"""The OpenAPI schema generates without warnings and validates; schema and docs are served."""

from __future__ import annotations

import io
import json

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.test import APIClient


def test_schema_generates_without_warnings_and_validates(tmp_path):
    out = tmp_path / "schema.yaml"
    GENERATOR_STATS.reset()  # count only this generation's warnings

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stderr=io.StringIO())

    schema = yaml.safe_load(out.read_text())
    paths = schema["paths"]
    for expected in [
        "/api/v1/skus/",
        "/api/v1/skus/{id}/availability/",
        "/api/v1/skus/{id}/components/",
        "/api/v1/stock/receive/",
        "/api/v1/stock/adjust/",
        "/api/v1/stock/count/",
        "/api/v1/stock/transfer/",
        "/api/v1/stock/return/",
        "/api/v1/availability/",
        "/api/v1/orders/{id}/ship/",
        "/api/v1/orders/{id}/lines/{line_id}/link/",
        "/api/v1/tokens/{id}/revoke/",
        "/api/v1/imports/catalog/",
    ]:
        assert expected in paths, expected
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token authentication: "Token <key>" or "Bearer <key>".',
    }
    receive = paths["/api/v1/stock/receive/"]["post"]
    assert receive["operationId"] == "stock_receive"
    assert {p["name"] for p in receive["parameters"]} == {"Idempotency-Key"}
    assert set(receive["responses"]) == {"200", "201", "400", "401", "403", "404", "409", "413", "422", "429"}
    assert set(receive["responses"]["429"]["headers"]) == {
        "Retry-After",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
        "RateLimit-Policy",
    }
    assert receive["responses"]["201"]["headers"]["Idempotent-Replayed"]["schema"]["enum"] == [
        "true",
        "false",
    ]
    assert list(receive["requestBody"]["content"]) == ["application/json"]
    assert (
        receive["requestBody"]["content"]["application/json"]["examples"]["example"]["value"]["quantity"]
        == 24
    )


def _schema(tmp_path) -> dict:
    out = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(out), stderr=io.StringIO())
    return json.loads(out.read_text())


def _operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_refusal_is_a_problem_document_and_declared(tmp_path):
    schema = _schema(tmp_path)

    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        expected = {"400", "401", "403", "404", "429"}
        expected |= {"409", "413"} if method in ("post", "put", "patch", "delete") else set()
        assert expected <= set(responses), (method, path)
        for code, response in responses.items():
            if code[0] in "45":
                assert (
                    response["content"]
                    == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
                    or "examples" in response["content"]["application/problem+json"]
                ), (method, path, code)
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance", "code"}
    assert set(problem["properties"]) == {*problem["required"], "errors", "shortfalls", "differences"}


def test_request_bodies_are_json_except_the_csv_import(tmp_path):
    schema = _schema(tmp_path)

    media = {
        (method, path): sorted(operation["requestBody"]["content"])
        for path, method, operation in _operations(schema)
        if "requestBody" in operation
    }

    assert {key: value for key, value in media.items() if value != ["application/json"]} == {
        ("post", "/api/v1/imports/catalog/"): ["multipart/form-data", "text/csv"]
    }


def test_operation_ids_are_readable_and_unique(tmp_path):
    ids = [operation["operationId"] for _, _, operation in _operations(_schema(tmp_path))]

    assert len(ids) == len(set(ids))
    assert {"orders_list", "orders_create", "orders_ship", "skus_create", "stock_receive"} <= set(ids)
    assert not [i for i in ids if i.startswith("v1_") or i.endswith("_ship_create")]


def test_reads_declare_etag_and_304_and_every_success_its_quota(tmp_path):
    for path, method, operation in _operations(_schema(tmp_path)):
        successes = [code for code in operation["responses"] if code.startswith("2")]
        for code in successes:
            assert "RateLimit-Remaining" in operation["responses"][code]["headers"], (method, path, code)
        if method == "get" and "200" in successes:
            assert "ETag" in operation["responses"]["200"]["headers"], path
            assert "304" in operation["responses"], path
            assert "If-None-Match" in {p["name"] for p in operation["parameters"]}, path


def test_every_property_is_typed(tmp_path):
    schemas = _schema(tmp_path)["components"]["schemas"]
    kinds = ("type", "$ref", "allOf", "oneOf", "anyOf")

    untyped = [
        (name, prop)
        for name, component in schemas.items()
        for prop, spec in component.get("properties", {}).items()
        if not any(kind in spec for kind in kinds)
    ]

    assert untyped == []
    assert schemas["OrderOutput"]["properties"]["shipping_address"]["type"] == "object"
    assert schemas["WebhookEndpointOutput"]["properties"]["event_types"]["items"] == {"type": "string"}


def test_the_queued_import_declares_its_location_header(tmp_path):
    operation = _schema(tmp_path)["paths"]["/api/v1/imports/catalog/"]["post"]

    assert operation["responses"]["202"]["headers"]["Location"]["schema"] == {"type": "string"}


def test_import_listings_declares_the_counts_it_returns(tmp_path):
    operation = _schema(tmp_path)["paths"]["/api/v1/channel-accounts/{id}/import-listings/"]["post"]

    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ListingsImportOutput"
    }


@pytest.mark.django_db
def test_schema_and_docs_are_served():
    client = APIClient()

    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/v1/orders/" in schema.content
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


@pytest.mark.django_db
def test_swagger_ui_and_redoc_come_from_our_static_files():
    client = APIClient()

    docs = client.get("/api/docs/").content.decode()
    redoc = client.get("/api/redoc/").content.decode()

    assert '<script src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js">' in docs
    assert '"validatorUrl": null' in docs  # no badge fetched from validator.swagger.io
    assert '<script src="/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js">' in redoc
    assert "googleapis" not in redoc and "cdn" not in (docs + redoc).lower()
