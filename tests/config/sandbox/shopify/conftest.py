"""Fixtures of the fake Shopify tests. These tests need no database and no Django."""

from __future__ import annotations

import types

import pytest


@pytest.fixture
def settings():
    """Stand-in for pytest-django's ``settings`` (used by the suite's autouse fixtures), so that these
    tests also run with ``-p no:django``; nothing here reads Django settings."""
    return types.SimpleNamespace()
