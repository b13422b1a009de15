"""Bounded JSON: deep nesting is a ValueError, ordinary documents parse as json.loads does."""

from __future__ import annotations

import pytest

from config.safejson import JsonTooDeep, json_loads_bounded


def test_deep_nesting_is_refused_as_a_value_error():
    with pytest.raises(JsonTooDeep):
        json_loads_bounded(b"[" * 50_000)
    with pytest.raises(ValueError, match="deeper than 3"):
        json_loads_bounded('{"a": [[{"b": 1}]]}', max_depth=3)


def test_brackets_inside_strings_do_not_count():
    text = '{"note": "[[[[[[[[[[ {{{{ \\" ]]]]", "n": [1, {"x": "]"}]}'

    assert json_loads_bounded(text, max_depth=3) == {"note": '[[[[[[[[[[ {{{{ " ]]]]', "n": [1, {"x": "]"}]}


def test_bad_utf8_is_a_value_error():
    with pytest.raises(ValueError):
        json_loads_bounded(b'{"a": "\xff"}')
