"""Hardened XML parsing of answers from the internet (defusedxml, size-bounded).

Every XML body a connector reads goes through :func:`xml_parse`: no DTD (a DOCTYPE is refused),
no entity declarations, no external references, and at most ``max_bytes`` bytes. Elements are
then read by local name (:func:`local`, :func:`child`, :func:`children`, :func:`text`), since
vendors move namespaces (Rakuten's changed with the PriceMinister rebranding).
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_XML_BYTES = 20 * 1024 * 1024


class XmlRefused(ValueError):
    """The body is too large, not well-formed, or carries a DTD, an entity or an external reference."""


def xml_parse(body: bytes | str, *, max_bytes: int = MAX_XML_BYTES) -> Element:
    """The root element of ``body``; raises :class:`XmlRefused` (never parses a DTD or an entity)."""
    raw = body.encode() if isinstance(body, str) else body
    if len(raw) > max_bytes:
        raise XmlRefused(f"XML answer of {len(raw)} bytes is over the {max_bytes}-byte limit")
    try:
        return fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise XmlRefused(f"XML answer refused: {type(exc).__name__}") from None
    except ParseError as exc:
        raise XmlRefused(f"XML answer not well-formed: {exc}") from None


def local(tag: str) -> str:
    """The local name of ``tag`` (``{namespace}name`` -> ``name``)."""
    return tag.rsplit("}", 1)[-1]


def children(element: Element | None, name: str) -> list[Element]:
    """The direct children of ``element`` whose local name is ``name``."""
    if element is None:
        return []
    return [c for c in element if local(c.tag) == name]


def child(element: Element | None, name: str) -> Element | None:
    """The first direct child named ``name`` (local name), or None."""
    found = children(element, name)
    return found[0] if found else None


def descendants(element: Element | None, name: str) -> Iterator[Element]:
    """Every element under ``element`` (itself included) with local name ``name``."""
    if element is None:
        return iter(())
    return (e for e in element.iter() if local(e.tag) == name)


def text(element: Element | None, *path: str, default: str = "") -> str:
    """The stripped text at ``path`` (local names of nested children) under ``element``."""
    node = element
    for name in path:
        node = child(node, name)
    if node is None or node.text is None:
        return default
    return node.text.strip()
