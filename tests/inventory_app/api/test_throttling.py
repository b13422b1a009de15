"""API throttles: failed token attempts, per token and per address; 429 with Retry-After."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from inventory_app.models import ApiToken
from inventory_app.services.tokens import api_token_issue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BACKENDS = {
    "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "stockmaster_cache"},
    "redis": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("REDIS_URL"),
    },
}


@pytest.fixture(params=sorted(BACKENDS))
def shared_cache(request, settings):
    """The throttle cache on a production backend: the database table (embedded default) or Redis."""
    if request.param == "redis" and not os.environ.get("REDIS_URL"):
        pytest.skip("no Redis")
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {**BACKENDS[request.param], "KEY_PREFIX": request.node.nodeid},
    }
    if request.param == "database":
        call_command("createcachetable")  # what `make run` runs before starting the web
    return request.param


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def _client(key: str, address: str = "127.0.0.1") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_300_bad_tokens_get_429_after_the_failure_limit(shared_cache):
    _, key = api_token_issue(user=UserFactory(role="viewer"), name="real")

    answers = [_client(f"smk_guess{n}").get("/api/v1/skus/") for n in range(300)]
    right_key_same_address = _client(key).get("/api/v1/skus/")
    right_key_other_address = _client(key, address="10.0.0.7").get("/api/v1/skus/")

    assert [a.status_code for a in answers[:20]] == [401] * 20
    assert {a.status_code for a in answers[20:]} == {429}
    assert 0 < int(answers[-1]["Retry-After"]) <= 60
    assert right_key_same_address.status_code == 429
    assert right_key_other_address.status_code == 200
    assert ApiToken.objects.get().last_used_at is not None  # only the other address got in


def test_each_token_has_its_own_rate(settings, shared_cache):
    _rates(settings, token="3/minute")
    _, first = api_token_issue(user=UserFactory(role="viewer"), name="one")
    _, second = api_token_issue(user=UserFactory(role="viewer"), name="two")

    answers = [_client(first).get("/api/v1/skus/").status_code for _ in range(4)]
    other = _client(second).get("/api/v1/skus/")
    refused = _client(first).get("/api/v1/skus/")

    assert answers == [200, 200, 200, 429]
    assert other.status_code == 200
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60


def test_each_address_has_its_own_rate_whatever_the_token(settings, shared_cache):
    _rates(settings, address="4/minute")
    keys = [api_token_issue(user=UserFactory(role="viewer"), name=f"t{n}")[1] for n in range(5)]

    answers = [_client(key).get("/api/v1/skus/").status_code for key in keys]
    elsewhere = _client(keys[0], address="10.0.0.8").get("/api/v1/skus/")

    assert answers == [200, 200, 200, 200, 429]
    assert elsewhere.status_code == 200


def test_a_rate_left_empty_switches_that_throttle_off(settings):
    _rates(settings, token=None, address=None)
    _, key = api_token_issue(user=UserFactory(role="viewer"), name="bench")

    answers = {_client(key).get("/api/v1/skus/").status_code for _ in range(50)}

    assert answers == {200}


def test_every_answer_carries_the_most_constrained_quota_and_429_is_a_problem(settings):
    _rates(settings, token="3/minute", address="100/minute")
    _, key = api_token_issue(user=UserFactory(role="viewer"), name="one")
    client = _client(key)

    answers = [client.get("/api/v1/skus/") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert {a["RateLimit-Limit"] for a in answers} == {"3"}
    assert {a["RateLimit-Policy"] for a in answers} == {"3;w=60"}
    assert all(0 < int(a["RateLimit-Reset"]) <= 60 for a in answers)
    refused = answers[-1]
    assert refused["Content-Type"] == "application/problem+json"
    assert (refused.json()["code"], refused.json()["status"]) == ("throttled", 429)
    assert 0 < int(refused["Retry-After"]) <= 60


def test_an_unthrottled_view_carries_no_quota(settings):
    _rates(settings, token=None, address=None)
    _, key = api_token_issue(user=UserFactory(role="viewer"), name="one")

    response = _client(key).get("/api/v1/skus/")

    assert response.status_code == 200
    assert not response.has_header("RateLimit-Limit")
