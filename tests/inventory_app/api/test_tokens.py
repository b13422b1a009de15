"""API token endpoints: the key is shown once, only its hash is stored; list and revoke."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from inventory_app.models import ApiToken
from inventory_app.services.tokens import api_token_issue
from tests.factories import UserFactory
from tests.helpers import field_errors

pytestmark = pytest.mark.django_db


def _session(role: str) -> APIClient:
    """A client logged in to the site (the session, not a token)."""
    client = APIClient()
    client.user = UserFactory(role=role)
    client.force_login(client.user)
    return client


def test_create_returns_key_once_and_stores_only_its_hash():
    viewer = _session("viewer")
    expires = (timezone.now() + timedelta(days=30)).replace(microsecond=0)

    response = viewer.post(
        "/api/v1/tokens/", {"name": "erp", "expires_at": expires.isoformat()}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    key = body["key"]
    token = ApiToken.objects.get(name="erp")
    assert key.startswith("smk_")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.key_hash, token.prefix, token.name}
    assert key.startswith(token.prefix)
    assert token.user == viewer.user
    assert token.expires_at == expires
    assert body == {
        "id": token.pk,
        "name": "erp",
        "prefix": token.prefix,
        "user": viewer.user.username,
        "created_at": body["created_at"],
        "expires_at": body["expires_at"],
        "last_used_at": None,
        "revoked_at": None,
        "is_active": True,
        "key": key,
    }

    # The new key works, and is never shown again.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    listed = client.get("/api/v1/tokens/")
    detail = client.get(f"/api/v1/tokens/{token.pk}/")
    assert listed.status_code == 200
    assert key not in listed.content.decode()
    assert token.key_hash not in listed.content.decode()
    assert "key" not in detail.json()
    assert "key_hash" not in detail.json()


def test_create_validation():
    viewer = _session("viewer")

    past = viewer.post(
        "/api/v1/tokens/",
        {"name": "x", "expires_at": (timezone.now() - timedelta(days=1)).isoformat()},
        format="json",
    )
    nameless = viewer.post("/api/v1/tokens/", {}, format="json")

    assert (past.status_code, field_errors(past)) == (400, {"expires_at": ["Must be in the future."]})
    assert (nameless.status_code, field_errors(nameless)) == (400, {"name": ["This field is required."]})
    assert ApiToken.objects.filter(user=viewer.user).count() == 0


def test_unauthenticated_cannot_create_tokens():
    response = APIClient().post("/api/v1/tokens/", {"name": "x"}, format="json")

    assert response.status_code == 401
    assert ApiToken.objects.count() == 0


def test_list_shows_own_tokens_only_managers_see_all(api_client):
    alice = UserFactory(username="alice", role="operator")
    bob = UserFactory(username="bob", role="viewer")
    api_token_issue(user=alice, name="a2")
    api_token_issue(user=bob, name="b2")
    as_alice = api_client(user=alice)
    manager = api_client("manager")

    alice_sees = {(t["user"], t["name"]) for t in as_alice.get("/api/v1/tokens/").json()["results"]}
    manager_sees = {(t["user"], t["name"]) for t in manager.get("/api/v1/tokens/").json()["results"]}

    assert alice_sees == {("alice", "a2"), ("alice", "test")}
    assert manager_sees == {
        ("alice", "a2"),
        ("alice", "test"),
        ("bob", "b2"),
        (manager.user.username, "test"),
    }


def test_revoke_own_token_stops_it_and_is_repeatable(api_client):
    user = UserFactory(role="viewer")
    token, key = api_token_issue(user=user, name="temp")
    owner = api_client(user=user)

    first = owner.post(f"/api/v1/tokens/{token.pk}/revoke", format="json")
    second = owner.post(f"/api/v1/tokens/{token.pk}/revoke/", format="json")

    assert first.status_code == 200
    assert first.json()["is_active"] is False
    assert first.json()["revoked_at"] == second.json()["revoked_at"]
    token.refresh_from_db()
    assert token.revoked_at is not None
    revoked = APIClient()
    revoked.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert revoked.get("/api/v1/tokens/").status_code == 401


def test_cannot_see_or_revoke_someone_elses_token_but_manager_can(api_client):
    other_token, _ = api_token_issue(user=UserFactory(role="viewer"), name="theirs")
    operator = api_client("operator")

    assert operator.get(f"/api/v1/tokens/{other_token.pk}/").status_code == 404
    assert operator.post(f"/api/v1/tokens/{other_token.pk}/revoke", format="json").status_code == 404
    other_token.refresh_from_db()
    assert other_token.revoked_at is None

    assert (
        api_client("manager").post(f"/api/v1/tokens/{other_token.pk}/revoke", format="json").status_code
        == 200
    )
    other_token.refresh_from_db()
    assert other_token.revoked_at is not None


def test_a_token_below_manager_cannot_create_tokens(api_client):
    operator = api_client("operator")

    response = operator.post("/api/v1/tokens/", {"name": "forever"}, format="json")

    assert response.status_code == 403
    assert ApiToken.objects.filter(user=operator.user).count() == 1  # only the caller


def test_a_manager_token_creates_only_tokens_expiring_no_later_than_itself():
    manager = UserFactory(role="manager")
    own_expiry = timezone.now() + timedelta(days=7)
    parent, key = api_token_issue(user=manager, name="ci", expires_at=own_expiry)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    forever = client.post("/api/v1/tokens/", {"name": "forever"}, format="json")
    later = client.post(
        "/api/v1/tokens/", {"name": "later", "expires_at": (own_expiry + timedelta(days=1)).isoformat()}
    )
    ok = client.post("/api/v1/tokens/", {"name": "child", "expires_at": (own_expiry).isoformat()})

    assert forever.status_code == 400 and field_errors(forever) == {
        "expires_at": ["A token created by a token must expire."]
    }
    assert later.status_code == 400 and "no later than" in field_errors(later)["expires_at"][0]
    assert ok.status_code == 201
    child = ApiToken.objects.get(name="child")
    assert child.created_by_token == parent and child.expires_at == own_expiry
    assert set(ApiToken.objects.values_list("name", flat=True)) == {"ci", "child"}


def test_revoking_a_token_revokes_what_it_created_all_the_way_down():
    manager = UserFactory(role="manager")
    expiry = timezone.now() + timedelta(days=7)
    root, _ = api_token_issue(user=manager, name="root")
    child, child_key = api_token_issue(user=manager, name="child", expires_at=expiry, created_by_token=root)
    _, grandchild_key = api_token_issue(
        user=manager, name="grandchild", expires_at=expiry, created_by_token=child
    )
    _, sibling_key = api_token_issue(user=manager, name="sibling", expires_at=expiry)
    client = _session("manager")

    response = client.post(f"/api/v1/tokens/{root.pk}/revoke/")

    assert response.status_code == 200
    revoked = dict(ApiToken.objects.values_list("name", "revoked_at"))
    assert revoked["root"] is not None and revoked["root"] == revoked["child"] == revoked["grandchild"]
    assert revoked["sibling"] is None
    for key, expected in ((child_key, 401), (grandchild_key, 401), (sibling_key, 200)):
        caller = APIClient()
        caller.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert caller.get("/api/v1/tokens/").status_code == expected
