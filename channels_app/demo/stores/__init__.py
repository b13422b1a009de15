"""The optional demo stores of ``make run DEMO=1`` (``DEMO_STORES=name,name`` or ``all``).

One module per store exposes ``STORE`` (a :class:`~channels_app.demo.stores.base.DemoStore`);
list it in :data:`STORE_MODULES`. Importable without Django.
"""

from __future__ import annotations

from importlib import import_module

from channels_app.demo.stores.base import AccountSpec, DemoStore

STORE_MODULES = (
    "channels_app.demo.stores.generic",
    "channels_app.demo.stores.bigcommerce",
    "channels_app.demo.stores.ebay",
    "channels_app.demo.stores.etsy",
    "channels_app.demo.stores.magento",
    "channels_app.demo.stores.rakuten",
    "channels_app.demo.stores.volusion",
    "channels_app.demo.stores.woocommerce",
)

__all__ = ["AccountSpec", "DemoStore", "demo_store_get", "demo_stores_all", "demo_stores_parse"]


def demo_stores_all() -> dict[str, DemoStore]:
    """Every optional demo store by name, in STORE_MODULES order."""
    stores = (import_module(path).STORE for path in STORE_MODULES)
    return {store.name: store for store in stores}


def demo_store_get(*, name: str) -> DemoStore:
    """The optional demo store ``name``; ValueError naming the known ones."""
    stores = demo_stores_all()
    if name not in stores:
        raise ValueError(f"Unknown demo store {name!r}: one of {', '.join(stores)}")
    return stores[name]


def demo_stores_parse(*, value: str) -> list[DemoStore]:
    """The stores a ``DEMO_STORES`` value names ("" none, "all" every one; comma-separated names,
    duplicates ignored); ValueError for an unknown name."""
    names = [part.strip().lower() for part in value.split(",") if part.strip()]
    if names == ["all"]:
        return list(demo_stores_all().values())
    seen: dict[str, DemoStore] = {}
    for name in names:
        seen.setdefault(name, demo_store_get(name=name))
    return list(seen.values())
