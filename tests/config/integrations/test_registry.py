"""One registry type for connectors, providers and exporters: one convention, one error."""

from __future__ import annotations

import pytest

from accounting_app.exporters.registry import EXPORTERS
from channels_app.connectors.registry import CONNECTORS
from config.integrations.registry import Registry, UnknownKind
from shipping_app.providers.registry import PROVIDERS


def test_every_app_registry_is_one_type_and_raises_one_lookup_error():
    for registry in (CONNECTORS, PROVIDERS, EXPORTERS):
        assert type(registry) is Registry
        with pytest.raises(LookupError):
            registry.get(kind="no-such-kind")
    assert issubclass(UnknownKind, LookupError) and not issubclass(UnknownKind, KeyError)


def test_register_get_kinds_and_choices():
    registry: Registry[type] = Registry(noun="widget")

    @registry.register
    class Labelled:
        kind = "b"
        label = "Bee"

    registry.register(type("Plain", (), {"kind": "a"}))

    assert registry.get(kind="b") is Labelled
    assert (registry.kinds(), registry.choices()) == (["a", "b"], [("a", "a"), ("b", "Bee")])
    with pytest.raises(UnknownKind, match="No widget of kind 'c'"):
        registry.get(kind="c")
    with pytest.raises(ValueError, match="Widget kind 'b' is already registered by Labelled"):
        registry.register(type("Other", (), {"kind": "b"}))
    with pytest.raises(ValueError, match="has no kind"):
        registry.register(type("Nameless", (), {}))
    assert registry.kinds() == ["a", "b"]
