"""The role matrix of the API, generated from the OpenAPI endpoint list.

Every endpoint x method is called as an anonymous client, a staff user without a role, a viewer,
an operator and a manager: below the role it needs (reads: viewer; writes: the view's
``write_role``) the answer is 401/403 (the permission is checked before the view runs); at or
above it, never 403 and never 5xx. An endpoint
added later without the role permission fails here.
"""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import EndpointEnumerator
from rest_framework.test import APIClient

from inventory_app.api.permissions import ROLE_RANK, ROLES, RolePermission
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SAFE = ("GET", "HEAD", "OPTIONS")
PUBLIC = {"/api/schema/", "/api/docs/", "/api/redoc/"}  # the OpenAPI document and its viewers


def _endpoints() -> list[tuple[str, str, object]]:
    found = []
    for path, _, method, callback in EndpointEnumerator().get_api_endpoints():
        found.append((re.sub(r"\{[^}]+\}", "999999", path), method, callback))
    return sorted(found, key=lambda e: (e[0], e[1]))


def _needed(method: str, callback) -> str:
    if method in SAFE:
        return "viewer"
    view = callback.cls(**callback.initkwargs)
    view.action = getattr(callback, "actions", {}).get(method.lower(), method.lower())
    return getattr(view, "write_role", "manager")


ENDPOINTS = _endpoints()


def test_the_matrix_covers_the_api():
    paths = {path for path, *_ in ENDPOINTS}

    assert len(ENDPOINTS) > 80
    assert {"/api/v1/skus/", "/api/v1/channel-accounts/999999/go-live/", "/api/v1/tokens/"} <= paths
    assert {
        "/api/v1/events/",
        "/api/v1/webhook-endpoints/",
        "/api/v1/webhook-endpoints/999999/rotate-secret/",
        "/api/v1/webhook-endpoints/999999/enable/",
        "/api/v1/webhook-deliveries/999999/redeliver/",
    } <= paths
    assert {"/api/v1/stock/bulk/", "/api/v1/orders/bulk/", "/api/v1/availability/"} <= paths


@pytest.mark.parametrize(("path", "method", "callback"), ENDPOINTS, ids=[f"{m} {p}" for p, m, _ in ENDPOINTS])
def test_endpoint_answers_by_role(path, method, callback):
    if path in PUBLIC:
        assert APIClient().get(path).status_code == 200
        return
    assert RolePermission in callback.cls.permission_classes
    needed = _needed(method, callback)
    anonymous = APIClient().generic(method, path, "{}", content_type="application/json")

    assert anonymous.status_code in (401, 403)
    for role in (None, *ROLES):
        client = APIClient()
        client.force_authenticate(UserFactory(role=role) if role else UserFactory(username="norole"))
        answer = client.generic(method, path, "{}", content_type="application/json").status_code

        allowed = role is not None and ROLE_RANK[role] >= ROLE_RANK[needed]
        assert (answer != 403) == allowed, (role, needed, answer)
        assert answer < 500, (role, answer)
