"""API version handles and the rules the connector derives from them."""

from __future__ import annotations

import pytest

from channels_app.connectors.shopify.versions import DEFAULT_API_VERSION, VersionRules, version_key


@pytest.mark.parametrize(
    ("handle", "change_from", "idempotent", "uri"),
    [
        ("2025-07", False, False, False),
        ("2025-10", False, False, True),
        ("2026-01", True, True, True),
        ("2026-04", True, True, True),
        ("2026-10", True, True, True),
        ("unstable", True, True, True),
    ],
)
def test_rules_by_version(handle, change_from, idempotent, uri):
    rules = VersionRules(handle)

    assert (rules.change_from_quantity, rules.idempotent_directive, rules.webhook_uri) == (
        change_from,
        idempotent,
        uri,
    )


@pytest.mark.parametrize("handle", ["2026-02", "26-01", "", "latest", "2026-1"])
def test_malformed_handles_are_refused(handle):
    with pytest.raises(ValueError):
        version_key(handle)


def test_the_default_is_the_newest_stable_version_on_2026_11_27():
    assert DEFAULT_API_VERSION == "2026-10"
    assert version_key(DEFAULT_API_VERSION) == (2026, 10)
