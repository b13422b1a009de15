"""Hardened XML parsing of answers from the internet (channels that speak XML).

Every XML answer a connector reads goes through :func:`xml_parse`: the body is refused when it is
larger than ``max_bytes`` (before any parsing), and ``defusedxml`` refuses any document with a
DTD (``<!DOCTYPE``), entity declarations or external references, so neither entity expansion
("billion laughs") nor an external DTD or entity (XXE: local files, internal URLs) is ever
processed. The refusal is a :class:`~channels_app.connectors.errors.ConnectorError` saying why.
Elements are then read by local name (:func:`local`, :func:`child`, :func:`children`,
:func:`descendants`, :func:`text`), since vendors move namespaces (Rakuten's changed with the
PriceMinister rebranding).
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from channels_app.connectors.errors import ConnectorError

MAX_XML_BYTES = 20 * 1024 * 1024


class UnsafeXml(ConnectorError):
    """An XML answer refused: too large, with a DTD or entities, or not well-formed."""


def xml_parse(body: bytes | str, *, max_bytes: int = MAX_XML_BYTES, what: str = "XML answer") -> Element:
    """The root element of ``body``; raises :class:`UnsafeXml` when it is larger than
    ``max_bytes``, declares a DTD or entities, references anything external or is malformed."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if len(raw) > max_bytes:
        raise UnsafeXml(f"The {what} is {len(raw)} bytes, more than the {max_bytes} accepted")
    try:
        return fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeXml(
            f"The {what} was refused: {type(exc).__name__} (DTDs and entities are not accepted)"
        ) from None
    except ParseError as exc:
        raise UnsafeXml(f"The {what} is not well-formed XML: {exc}") from None


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
