"""Liveness /healthz and readiness /readyz."""

from __future__ import annotations

import json
import time

import pytest

from tests.config.helpers import closed_port, run_python


def test_healthz_answers_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_when_database_and_broker_answer(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_readyz_is_503_naming_the_broker_when_redis_port_is_closed(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}

    started = time.monotonic()
    response = client.get("/readyz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "OperationalError"},
    }
    assert elapsed < 5


@pytest.mark.django_db
def test_readyz_is_503_when_the_filesystem_broker_folder_is_missing(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://localhost/"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path / "missing"),
        "data_folder_out": str(tmp_path / "missing"),
        "processed_folder": str(tmp_path),
    }

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "BrokerFolderUnavailable"}


def test_readyz_is_503_naming_the_database_when_postgres_is_down(clean_env):
    code = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/readyz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""
    env = {
        **clean_env,
        "DEBUG": "1",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"postgres://u@127.0.0.1:{closed_port()}/x",
    }
    result = run_python(code, env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "status": 503,
        "body": {"status": "unavailable", "checks": {"database": "OperationalError", "broker": "ok"}},
    }


@pytest.mark.django_db
def test_probes_answer_plain_http_while_the_rest_redirects_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    admin = client.get("/admin/login/")
    assert admin.status_code == 301
    assert admin["Location"] == "https://testserver/admin/login/"


def test_probes_refuse_writes(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
