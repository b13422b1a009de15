"""Validators of the codes staff and channels type in (SKU, location, barcode...)."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError


def control_characters_find(value: str) -> str | None:
    """The first control or format character of ``value`` (NUL, tab, newline, bidi marks...)."""
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            return char
    return None


def printable_validate(value: str) -> None:
    """Refuse a value holding control characters (NUL included): codes are printable text."""
    char = control_characters_find(value)
    if char is not None:
        raise ValidationError(
            "Control characters are not allowed (found U+%(code)04X).",
            code="control_characters",
            params={"code": ord(char)},
        )
