"""Connector options and credentials declared as typed data.

A connector lists its account options in ``options`` (:class:`Option`) and its credentials in
``credentials`` (:class:`Credential`). From these one declaration the account services validate
what staff or the API send (:func:`options_problems`: an unknown option or a value of the wrong
type is refused with the option's name), the admin form and the API say what is expected, and
each connector's README carries its options table (:func:`options_table`, kept in step by
``tests/channels_app/connectors/test_options.py`` and ``manage.py connector_readme``).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

OptionType = Literal["str", "int", "float", "bool", "list", "dict", "date"]

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
    "date": (str,),  # an ISO day, YYYY-MM-DD
}

README_START = "<!-- options table: generated from the connector's declaration, do not edit -->"
README_END = "<!-- end of options table -->"


@dataclass(frozen=True)
class Option:
    """One account option: its name, JSON type, default (None: none), help, allowed ``choices``
    and ``secret`` (never shown back). A ``list`` option also takes a single string."""

    name: str
    type: OptionType
    help: str
    default: object = None
    choices: Sequence[object] = ()
    secret: bool = False

    def problem(self, value: object) -> str:
        """Why ``value`` is not acceptable for this option ("" when it is)."""
        if value is None:
            return ""
        allowed = _PYTHON_TYPES[self.type]
        if self.type == "list" and isinstance(value, str):
            allowed = (str,)
        if (isinstance(value, bool) and self.type != "bool") or not isinstance(value, allowed):
            return f"option {self.name!r} must be of type {self.type}, not {type(value).__name__}"
        if self.type == "date" and not _iso_day(value):
            return f"option {self.name!r} must be a day as YYYY-MM-DD, not {value!r}"
        if self.choices and value not in self.choices:
            shown = ", ".join(repr(c) for c in self.choices)
            return f"option {self.name!r} must be one of {shown}, not {value!r}"
        return ""


def _iso_day(value: object) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return len(str(value)) == 10


@dataclass(frozen=True)
class Credential:
    """One credential key: ``secret`` ones are encrypted and never shown again; ``modes`` name
    the auth modes that use it (empty: every mode)."""

    name: str
    help: str
    secret: bool = True
    modes: Sequence[str] = ()


def option_summary(option: Option) -> str:
    """``name (type, default d)``: one option as the admin form's help lists it."""
    default = "" if option.default is None else f", default {option.default!r}"
    return f"{option.name} ({option.type}{default})"


def options_problems(*, declared: Sequence[Option], options: Mapping[str, object]) -> list[str]:
    """What is wrong with ``options`` against the declaration: unknown names, wrong types."""
    by_name = {option.name: option for option in declared}
    problems = [f"unknown option {name!r}" for name in sorted(set(options) - set(by_name))]
    for name, value in options.items():
        if name in by_name and (problem := by_name[name].problem(value)):
            problems.append(problem)
    return problems


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def options_table(*, options: Sequence[Option], credentials: Sequence[Credential]) -> str:
    """The Markdown tables of a connector's credentials and options (its README section)."""
    lines = ["| Credential | Secret | Modes | Meaning |", "|---|---|---|---|"]
    for cred in credentials:
        modes = ", ".join(cred.modes) or "all"
        lines.append(f"| `{cred.name}` | {'yes' if cred.secret else 'no'} | {modes} | {_cell(cred.help)} |")
    lines += ["", "| Option | Type | Default | Meaning |", "|---|---|---|---|"]
    for option in options:
        default = "" if option.default is None else f"`{option.default!r}`"
        meaning = _cell(option.help)
        if option.choices:
            meaning += " One of " + ", ".join(f"`{c!r}`" for c in option.choices) + "."
        lines.append(f"| `{option.name}` | {option.type} | {default} | {meaning} |")
    return "\n".join(lines)


def connector_readme(cls: type) -> tuple[Path, str]:
    """The README of ``cls``'s package and the text it must have: its current text with the
    options table of ``cls``'s declaration between the markers."""
    path = Path(sys.modules[cls.__module__].__file__ or "").parent / "README.md"
    current = (
        path.read_text() if path.exists() else f"# {cls.label or cls.kind} connector (kind `{cls.kind}`)\n"
    )
    table = options_table(options=cls.options, credentials=cls.credentials)
    return path, readme_with_table(readme=current, table=table)


def readme_with_table(*, readme: str, table: str) -> str:
    """``readme`` with the text between its options-table markers replaced by ``table`` (the
    markers and table appended when absent)."""
    block = f"{README_START}\n{table}\n{README_END}"
    if README_START in readme and README_END in readme:
        head, rest = readme.split(README_START, 1)
        return head + block + rest.split(README_END, 1)[1]
    return readme.rstrip("\n") + "\n\n## Credentials and options\n\n" + block + "\n"
