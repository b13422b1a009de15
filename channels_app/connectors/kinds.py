"""A registry of plugin classes by ``kind``, shared by the integration apps.

Channel connectors, shipping providers and accounting exporters are classes with a ``kind``
attribute, registered by a class decorator when their module is imported (from the app's
``ready()``) and looked up by kind. Each app keeps its own public functions around one
:class:`KindRegistry`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T", bound=type)


class KindRegistry(Generic[T]):
    """Classes by their ``kind``: :meth:`register` (a class decorator), :meth:`get`, :meth:`kinds`.

    ``noun`` names the classes in errors ("Connector kind 'x' is already registered by ...");
    ``unknown`` builds the exception :meth:`get` raises for a kind nobody registered.
    """

    def __init__(self, *, noun: str, unknown: Callable[[str], Exception]):
        self.noun = noun
        self.unknown = unknown
        self._classes: dict[str, T] = {}

    def register(self, cls: T) -> T:
        """Register ``cls`` under ``cls.kind`` and return it; a missing kind or a clash is a ValueError."""
        kind = getattr(cls, "kind", "")
        if not kind:
            raise ValueError(f"{cls.__name__} has no kind")
        existing = self._classes.get(kind)
        if existing is not None and existing is not cls:
            raise ValueError(f"{self.noun} kind {kind!r} is already registered by {existing.__name__}")
        self._classes[kind] = cls
        return cls

    def get(self, kind: str) -> T:
        """The class registered under ``kind``; raises ``unknown(kind)``."""
        try:
            return self._classes[kind]
        except KeyError:
            raise self.unknown(kind) from None

    def kinds(self) -> list[str]:
        """Every registered kind, sorted."""
        return sorted(self._classes)

    def classes(self) -> dict[str, T]:
        """A copy of the registry: kind -> class."""
        return dict(self._classes)
