"""Authentication (hashed tokens, Token/Bearer headers) and role checks of the REST API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from inventory_app.models import ApiToken, Product
from inventory_app.services.tokens import api_token_issue, api_token_revoke
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


def _client(header: str | None) -> APIClient:
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    return client


def test_no_credentials_is_401_with_token_challenge():
    response = _client(None).get(PRODUCTS)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "/api/problems/not_authenticated",
        "title": "Not authenticated",
        "status": 401,
        "detail": "Authentication credentials were not provided.",
        "instance": PRODUCTS,
        "code": "not_authenticated",
    }


@pytest.mark.parametrize("header", ["Token smk_not-a-real-key", "Bearer nope", "Token a b", "Token"])
def test_bad_token_is_401(header):
    UserFactory(role="manager")

    response = _client(header).get(PRODUCTS)

    assert response.status_code == 401


def test_token_and_bearer_keywords_both_authenticate():
    ProductFactory(name="Lamp")
    user = UserFactory(role="viewer")
    _, key = api_token_issue(user=user, name="ci")

    for keyword in ("Token", "Bearer", "bearer"):
        response = _client(f"{keyword} {key}").get(PRODUCTS)
        assert response.status_code == 200, keyword
        assert [p["name"] for p in response.json()["results"]] == ["Lamp"]


def test_revoked_token_is_401():
    user = UserFactory(role="manager")
    token, key = api_token_issue(user=user, name="old")
    assert _client(f"Token {key}").get(PRODUCTS).status_code == 200

    api_token_revoke(token=token)
    response = _client(f"Token {key}").get(PRODUCTS)

    assert response.status_code == 401
    assert (response.json()["code"], response.json()["detail"]) == (
        "authentication_failed",
        "Invalid, expired or revoked token.",
    )


def test_expired_token_is_401():
    user = UserFactory(role="manager")
    token, key = api_token_issue(user=user, name="short", expires_at=timezone.now() + timedelta(hours=1))
    assert _client(f"Token {key}").get(PRODUCTS).status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert _client(f"Token {key}").get(PRODUCTS).status_code == 401


def test_token_of_inactive_user_is_401():
    user = UserFactory(role="manager")
    _, key = api_token_issue(user=user, name="x")
    user.is_active = False
    user.save()

    assert _client(f"Token {key}").get(PRODUCTS).status_code == 401


def test_user_without_role_is_403_even_for_reads():
    _, key = api_token_issue(user=UserFactory(role=None), name="x")

    response = _client(f"Token {key}").get(PRODUCTS)

    assert response.status_code == 403
    assert (response.json()["code"], response.json()["detail"]) == (
        "permission_denied",
        "Your role does not allow this.",
    )


def test_viewer_cannot_write_and_nothing_is_created():
    _, key = api_token_issue(user=UserFactory(role="viewer"), name="x")

    response = _client(f"Token {key}").post(PRODUCTS, {"name": "Chair"}, format="json")

    assert response.status_code == 403
    assert Product.objects.count() == 0


def test_operator_cannot_do_manager_writes_but_can_operate(api_client):
    operator = api_client("operator")

    assert operator.post(PRODUCTS, {"name": "Chair"}, format="json").status_code == 403
    assert operator.post("/api/v1/locations/", {"code": "A", "name": "A"}, format="json").status_code == 403
    # Stock operations are operator writes: an invalid body is judged (400), not refused (403).
    assert operator.post("/api/v1/stock/receive", {}, format="json").status_code == 400
    assert Product.objects.count() == 0


def test_superuser_has_every_role():
    admin = UserFactory(username="root", is_superuser=True)
    _, key = api_token_issue(user=admin, name="x")

    response = _client(f"Token {key}").post(PRODUCTS, {"name": "Chair"}, format="json")

    assert response.status_code == 201
    assert Product.objects.get().name == "Chair"


def test_token_use_is_recorded():
    user = UserFactory(role="viewer")
    token, key = api_token_issue(user=user, name="x")
    assert token.last_used_at is None

    _client(f"Token {key}").get(PRODUCTS)

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_api_root_is_an_index_of_its_endpoints_for_any_role_and_refused_without_one(api_client, client):
    viewer = api_client("viewer")

    index = viewer.get("/api/v1/")
    anonymous = client.get("/api/v1/")
    no_role = api_client(None).get("/api/v1/")

    assert index.status_code == 200
    body = index.json()
    assert (body["version"], body["schema"], body["docs"]) == (
        "v1",
        "http://testserver/api/schema/",
        "http://testserver/api/docs/",
    )
    for path in ("orders/", "levels/", "availability/", "stock/receive/", "channel-order-pushes/"):
        assert f"http://testserver/api/v1/{path}" in body["endpoints"]
    assert all("<" not in url and "(?P" not in url for url in body["endpoints"])
    assert anonymous.status_code in (401, 403)
    assert no_role.status_code == 403
