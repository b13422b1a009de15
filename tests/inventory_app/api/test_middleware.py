"""Under /api/: never an HTML page (problem documents for every error), ETag / If-None-Match on
reads, RateLimit-* fields on throttled views."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from inventory_app.api import catalog
from inventory_app.models import SKU, Product
from tests.factories import SKUFactory, UserFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _problem(response, status: int, code: str) -> dict:
    body = json.loads(response.content)
    assert (response.status_code, response["Content-Type"]) == (status, PROBLEM)
    assert (body["status"], body["code"], body["type"]) == (status, code, f"/api/problems/{code}")
    assert body["instance"] == response.wsgi_request.path
    return body


def test_an_unknown_api_url_is_a_not_found_problem():
    body = _problem(Client().get("/api/v1/no-such-thing/"), 404, "not_found")

    assert body["detail"] == "No such URL."


def test_a_method_the_view_does_not_answer_is_405_with_allow(api_client):
    drf = api_client("manager").post("/api/v1/levels/", {}, format="json")
    plain = Client().post("/api/problems/not_found")  # a plain Django view (CSRF-exempt: no form)

    _problem(drf, 405, "method_not_allowed")
    assert "GET" in drf["Allow"]
    assert plain.status_code in (403, 405) and plain["Content-Type"] == PROBLEM


def test_a_django_csrf_refusal_is_a_problem():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(role="manager"))

    response = client.post("/api/problems/not_found", {"x": "1"})

    body = _problem(response, 403, "csrf_failed")
    assert "CSRF" in body["detail"]


def test_a_session_post_without_csrf_token_is_a_permission_problem_and_creates_nothing():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(role="manager"))

    response = client.post("/api/v1/products/", {"name": "Chair"}, content_type="application/json")

    body = _problem(response, 403, "permission_denied")
    assert body["detail"].startswith("CSRF Failed")
    assert Product.objects.count() == 0


def test_malformed_json_is_a_parse_error(api_client):
    response = api_client("manager").generic(
        "POST", "/api/v1/products/", b'{"name": ', content_type="application/json"
    )

    body = _problem(response, 400, "parse_error")
    assert body["detail"].startswith("JSON parse error")
    assert Product.objects.count() == 0


def test_a_body_over_the_size_limit_is_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    payload = json.dumps({"name": "x" * 2000}).encode()

    response = api_client("manager").generic(
        "POST", "/api/v1/products/", payload, content_type="application/json"
    )

    body = _problem(response, 413, "request_too_large")
    assert "Send large sets in several requests" in body["detail"]
    assert Product.objects.count() == 0


def test_an_unexpected_error_is_a_500_problem_not_a_page(api_client, monkeypatch):
    def boom(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(catalog.ProductViewSet, "list", boom)
    client = api_client("viewer")
    client.raise_request_exception = False

    body = _problem(client.get("/api/v1/products/"), 500, "server_error")

    assert "boom" not in body["detail"]


def test_a_problem_type_resolves_to_its_description():
    known = Client().get("/api/problems/insufficient_stock")
    unknown = Client().get("/api/problems/no_such_code")

    assert (known.status_code, known.json()) == (
        200,
        {
            "code": "insufficient_stock",
            "status": 409,
            "title": "Insufficient stock",
            "description": "Not enough stock; see shortfalls per SKU/location.",
        },
    )
    _problem(unknown, 404, "not_found")


def test_a_read_has_an_etag_and_if_none_match_answers_304_until_it_changes(api_client):
    sku = SKUFactory(code="CUP", name="Cup")
    client = api_client("viewer")

    first = client.get("/api/v1/skus/")
    same = client.get("/api/v1/skus/", HTTP_IF_NONE_MATCH=first["ETag"])
    head = client.head("/api/v1/skus/", HTTP_IF_NONE_MATCH=first["ETag"])
    SKU.objects.filter(pk=sku.pk).update(name="Mug")
    changed = client.get("/api/v1/skus/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200 and first["ETag"].startswith('"')
    assert (same.status_code, same.content, same["ETag"]) == (304, b"", first["ETag"])
    assert head.status_code == 304
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert changed.json()["results"][0]["name"] == "Mug"


def test_a_write_and_an_error_carry_no_etag(api_client):
    created = api_client("manager").post("/api/v1/products/", {"name": "Chair"}, format="json")
    missing = api_client("viewer").get("/api/v1/products/999999/")

    assert created.status_code == 201 and not created.has_header("ETag")
    assert missing.status_code == 404 and not missing.has_header("ETag")
