"""Hardened XML parsing of answers from the internet (channels that speak XML).

Every XML answer a connector reads goes through :func:`xml_parse`: the body is refused when it is
larger than ``max_bytes`` (before any parsing), and ``defusedxml`` refuses any document with a
DTD (``<!DOCTYPE``), entity declarations or external references, so neither entity expansion
("billion laughs") nor an external DTD or entity (XXE: local files, internal URLs) is ever
processed. The refusal is a :class:`~channels_app.connectors.errors.ConnectorError` saying why.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from channels_app.connectors.errors import ConnectorError

MAX_XML_BYTES = 20 * 1024 * 1024


class UnsafeXml(ConnectorError):
    """An XML answer refused: too large, with a DTD or entities, or not well-formed."""


def xml_parse(body: bytes | str, *, max_bytes: int = MAX_XML_BYTES, what: str = "answer") -> Element:
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
