"""JSON from outsiders (webhooks, API bodies, queue messages) with a bounded nesting depth.

``json.loads`` of 50,000 nested ``[`` raises RecursionError, which nothing expects: a body is
checked first (outside strings, brackets may nest at most ``MAX_DEPTH`` deep) and any failure is
a ValueError, the error callers already handle as "not JSON".
"""

from __future__ import annotations

import json
import re
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 64
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class JsonTooDeep(ValueError):
    """The document nests deeper than allowed."""


def json_depth_check(text: str, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise :class:`JsonTooDeep` when brackets outside strings nest deeper than ``max_depth``."""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > max_depth:
                raise JsonTooDeep(f"JSON nested deeper than {max_depth} levels")
        else:
            depth -= 1


def json_loads_bounded(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` with the depth bound; ValueError (UnicodeDecodeError included) when refused."""
    text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
    json_depth_check(text, max_depth=max_depth)
    try:
        return json.loads(text)
    except RecursionError:
        raise JsonTooDeep("JSON nested too deeply") from None


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with the depth bound: a too-deep body is a 400, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        """Parse the body like JSONParser, refusing deep nesting as a ParseError."""
        raw = stream.read() if stream is not None else b""
        try:
            return json_loads_bounded(raw)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
