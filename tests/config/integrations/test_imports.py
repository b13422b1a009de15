"""Each integration app imports each shared piece of vendor plumbing in one module; the core
only the egress guard and the encryption (its outbound webhooks)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SHARED = (
    "config.egress",
    "config.integrations.crypto",
    "config.integrations.registry",
    "config.integrations.webhooks",
    "config.integrations.models",
)


def _importers(app: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                if name in SHARED or name == "config.integrations":
                    found[name].append(str(path.relative_to(ROOT)))
    return dict(found)


def test_each_integration_app_imports_each_shared_piece_once():
    expected_pieces = {
        "channels_app": set(SHARED),
        "shipping_app": set(SHARED),
        "accounting_app": {"config.egress", "config.integrations.crypto", "config.integrations.registry"},
    }
    for app, pieces in expected_pieces.items():
        importers = _importers(app)
        assert set(importers) == pieces, app
        counts = {piece: len(modules) for piece, modules in importers.items()}
        assert counts == dict.fromkeys(pieces, 1), importers


def test_the_core_imports_only_what_its_outbound_webhooks_need():
    """The core delivers integrators' webhooks itself: through the one egress guard, with the
    endpoint secrets encrypted like vendor credentials. Registry, webhook receiving and vendor
    accounts stay with the integration apps."""
    assert set(_importers("inventory_app")) == {"config.egress", "config.integrations.crypto"}
