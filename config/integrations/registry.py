"""A registry of plugin classes by ``kind``, one type for every integration app.

Channel connectors, shipping providers and accounting exporters are classes with a ``kind``
attribute, registered by a class decorator when their module is imported (from the app's
``ready()``) and looked up by kind. Each app holds one :class:`Registry` instance in its registry
module and names its bound methods there (``connector_register``, ``connector_class_get``...):
one calling convention (``get(kind=...)``) and one error (:class:`UnknownKind`) everywhere.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T", bound=type)


class UnknownKind(LookupError):
    """No class is registered under that kind."""


class Registry(Generic[T]):
    """Classes by their ``kind``: :meth:`register` (a class decorator), :meth:`get`, :meth:`kinds`,
    :meth:`choices`.

    ``noun`` names the classes in errors ("No shipping provider of kind 'x'", "Shipping provider
    kind 'x' is already registered by ...").
    """

    def __init__(self, *, noun: str):
        self.noun = noun
        self._classes: dict[str, T] = {}

    def register(self, cls: T) -> T:
        """Register ``cls`` under ``cls.kind`` and return it; a missing kind or a clash is a ValueError."""
        kind = getattr(cls, "kind", "")
        if not kind:
            raise ValueError(f"{cls.__name__} has no kind")
        existing = self._classes.get(kind)
        if existing is not None and existing is not cls:
            noun = self.noun[:1].upper() + self.noun[1:]
            raise ValueError(f"{noun} kind {kind!r} is already registered by {existing.__name__}")
        self._classes[kind] = cls
        return cls

    def get(self, *, kind: str) -> T:
        """The class registered under ``kind``; raises UnknownKind."""
        try:
            return self._classes[kind]
        except KeyError:
            raise UnknownKind(f"No {self.noun} of kind {kind!r}") from None

    def kinds(self) -> list[str]:
        """Every registered kind, sorted."""
        return sorted(self._classes)

    def choices(self) -> list[tuple[str, str]]:
        """(kind, label) of every registered class, sorted by kind, for choice fields; the label is
        the class's ``label`` or its kind."""
        return [(kind, getattr(self._classes[kind], "label", "") or kind) for kind in self.kinds()]
