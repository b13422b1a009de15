"""Fixtures of the configuration tests."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.config.helpers import config_free_env


@pytest.fixture
def clean_env(tmp_path) -> dict[str, str]:
    """The current environment without any configuration, with a private VAR_DIR and no .env."""
    return config_free_env(dict(os.environ), tmp_path / "var")


@pytest.fixture
def fresh_postgres_url():
    """A new, empty database on the suite's PostgreSQL server; dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs the suite's PostgreSQL (run through config.devservices)")
    import psycopg

    name = f"runall_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
