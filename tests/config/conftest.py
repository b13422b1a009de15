"""Fixtures of the configuration tests."""

from __future__ import annotations

import os

import pytest

from tests.config.helpers import config_free_env


@pytest.fixture
def clean_env(tmp_path) -> dict[str, str]:
    """The current environment without any configuration, with a private VAR_DIR and no .env."""
    return config_free_env(dict(os.environ), tmp_path / "var")
