"""Reading a catalog CSV: delimiter sniffing, header mapping, and typed cells with row-level errors."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from inventory_app.models import BackorderPolicy
from inventory_app.validators import control_characters_find

CATALOG_COLUMNS = (
    "name",
    "product",
    "barcode",
    "weight_grams",
    "unit_cost",
    "backorder",
    "is_kit",
    "components",
    "active",
)
COLUMNS = ("sku", *CATALOG_COLUMNS, "location", "quantity")
TRUE_WORDS = {"1", "true", "yes", "y", "x", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "f"}


@dataclass(frozen=True)
class ImportRowError:
    """One problem of the file: 1-based spreadsheet row (header = 1), column, message."""

    row: int
    column: str
    message: str


def _text(max_length: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise ValueError(f"longer than {max_length} characters")
        if (char := control_characters_find(value)) is not None:
            raise ValueError(f"holds a control character (U+{ord(char):04X})")
        return value

    return parse


def _decimal(max_digits: int, places: int) -> Callable[[str], Decimal]:
    def parse(value: str) -> Decimal:
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
        if not number.is_finite() or number < 0:
            raise ValueError(f"{value!r} must be a number of 0 or more")
        if number >= Decimal(10) ** (max_digits - places):
            raise ValueError(f"{value!r} is too large")
        step = Decimal(1).scaleb(-places)
        if number != number.quantize(step):
            raise ValueError(f"{value!r} has more than {places} decimal places")
        return number.quantize(step)

    return parse


MAX_QUANTITY = 1_000_000_000  # as the stock API: the ledger's integer columns stay far from overflow
MAX_COMPONENT_QUANTITY = 1_000_000


def _whole(value: str, *, maximum: int) -> int:
    """A whole number of ASCII digits (optionally signed), at most ``maximum`` in size."""
    digits = value.strip().removeprefix("-").removeprefix("+")
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"{value!r} is not a whole number")
    if len(digits) > 12 or abs(int(value)) > maximum:
        raise ValueError(f"{value!r} is too large (at most {maximum:,})")
    return int(value)


def _integer(value: str) -> int:
    number = _whole(value, maximum=MAX_QUANTITY)
    if number < 0:
        raise ValueError(f"{value!r} is negative")
    return number


def _boolean(value: str) -> bool:
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{value!r} is not yes/no")


def _backorder(value: str) -> str:
    word = value.lower()
    if word not in BackorderPolicy.values:
        raise ValueError(f"{value!r} must be one of: {', '.join(BackorderPolicy.values)}")
    return word


def _components(value: str) -> tuple[tuple[str, int], ...]:
    items: dict[str, int] = {}
    for part in value.replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        code, sep, qty = part.rpartition(":")
        code = code.strip()
        if not sep or not code:
            raise ValueError(f"{part!r} is not CODE:QTY")
        try:
            quantity = _whole(qty, maximum=MAX_COMPONENT_QUANTITY)
        except ValueError as exc:
            raise ValueError(f"{part!r}: quantity: {exc}") from None
        if quantity < 1:
            raise ValueError(f"{part!r}: quantity must be 1 or more")
        if code in items:
            raise ValueError(f"component {code} is listed twice")
        items[code] = quantity
    if not items:
        raise ValueError("no component given")
    return tuple(sorted(items.items()))


PARSERS: dict[str, Callable[[str], Any]] = {
    "sku": _text(64),
    "name": _text(255),
    "product": _text(255),
    "barcode": _text(64),
    "weight_grams": _decimal(12, 2),
    "unit_cost": _decimal(14, 4),
    "backorder": _backorder,
    "is_kit": _boolean,
    "components": _components,
    "location": _text(32),
    "quantity": _integer,
    "active": _boolean,
}


def _column_name(raw: str) -> str:
    return raw.strip().lstrip("\ufeff").strip().lower().replace(" ", "_").replace("-", "_")


def _delimiter_guess(lines: list[str]) -> str:
    candidates = []
    with contextlib.suppress(csv.Error):
        candidates.append(csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t").delimiter)
    candidates += [",", ";", "\t"]
    header = lines[0] if lines else ""
    for delimiter in candidates:
        if "sku" in {_column_name(c) for c in next(csv.reader([header], delimiter=delimiter))}:
            return delimiter
    return candidates[0]


def _header_read(cells: list[str], row: int, errors: list) -> list[str | None]:
    names: list[str | None] = []
    for raw in cells:
        name = _column_name(raw)
        if not name:
            names.append(None)
        elif name not in PARSERS:
            errors.append(ImportRowError(row, raw.strip(), f"unknown column; expected: {', '.join(COLUMNS)}"))
            names.append(None)
        elif name in names:
            errors.append(ImportRowError(row, name, "column appears twice"))
            names.append(None)
        else:
            names.append(name)
    if "sku" not in names:
        errors.append(ImportRowError(row, "sku", "the sku column is required"))
    return names


def rows_read(*, content: str, errors: list) -> list[tuple[int, dict[str, Any]]]:
    """Parse ``content`` into (spreadsheet row number, {column: typed value}) for non-blank rows.

    Empty cells are left out of a row's dict. Problems are appended to ``errors``.
    """
    text = content.lstrip("\ufeff")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        errors.append(ImportRowError(1, "sku", "the file is empty"))
        return []
    delimiter = _delimiter_guess(lines)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    names: list[str | None] | None = None
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue
            if names is None:
                names = _header_read(cells, number, errors)
                continue
            rows.append((number, _row_read(cells, names, number, delimiter, errors)))
    except csv.Error as exc:
        errors.append(ImportRowError(reader.line_num, "", f"unreadable CSV: {exc}"))
    return rows


def _row_read(
    cells: list[str], names: list[str | None], number: int, delimiter: str, errors: list
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if any(cells[len(names) :]):
        errors.append(ImportRowError(number, "", "more cells than header columns"))
    for name, cell in zip(names, cells, strict=False):
        if name is None or not cell:
            continue
        if delimiter != "," and name in ("weight_grams", "unit_cost") and "." not in cell:
            cell = cell.replace(",", ".")
        try:
            values[name] = PARSERS[name](cell)
        except ValueError as exc:
            errors.append(ImportRowError(number, name, str(exc)))
    if "sku" not in values and not any(e.row == number and e.column == "sku" for e in errors):
        errors.append(ImportRowError(number, "sku", "the SKU code is missing"))
    return values
