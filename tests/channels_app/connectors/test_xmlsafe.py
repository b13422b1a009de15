"""Hardened XML parsing: entity expansion, DTDs (internal or external), external entities and
oversize answers are refused before anything is expanded or fetched."""

from __future__ import annotations

import pytest

from channels_app.connectors.xmlsafe import UnsafeXml, xml_parse

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<xmldata><Products><ProductCode>&lol3;</ProductCode></Products></xmldata>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xmldata><Products><ProductCode>&secret;</ProductCode></Products></xmldata>"""


def external_dtd(url: str) -> bytes:
    return f'<?xml version="1.0"?>\n<!DOCTYPE xmldata SYSTEM "{url}">\n<xmldata />'.encode()


def test_a_plain_answer_parses():
    root = xml_parse(
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b"<xmldata><Products><ProductCode>A</ProductCode></Products></xmldata>"
    )

    assert (root.tag, root.find("Products/ProductCode").text) == ("xmldata", "A")


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, external_dtd("http://127.0.0.1:9/x.dtd")])
def test_dtds_and_entities_are_refused(body):
    with pytest.raises(UnsafeXml, match="DTDs and entities are not accepted"):
        xml_parse(body)


def test_an_oversize_answer_is_refused_before_parsing():
    body = b"<xmldata>" + b"<Products/>" * 100 + b"</xmldata>"

    with pytest.raises(UnsafeXml, match=f"is {len(body)} bytes, more than the 1000 accepted"):
        xml_parse(body, max_bytes=1000)


def test_malformed_xml_is_refused():
    with pytest.raises(UnsafeXml, match="not well-formed"):
        xml_parse(b"<xmldata><Products></xmldata>")
