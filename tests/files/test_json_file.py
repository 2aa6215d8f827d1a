"""The guarded JSON reader: every hostile file ends in the caller's error naming the file."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bonescan_tutor.core.errors import BonescanError, UsageError
from bonescan_tutor.files.json_file import nesting_depth, parse_json, read_json


class QuizSetError(BonescanError):
    pass


def parse(data: bytes, **caps):
    return parse_json(data, where="set.bstquiz", what="a quiz-set file", error=QuizSetError, **caps)


def test_plain_json_and_a_byte_order_mark() -> None:
    assert parse(b'{"a": [1, 2.5, "x"]}') == {"a": [1, 2.5, "x"]}
    assert parse(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b'{"a": [1, 2', "cut short"),
        (b"hello", "Expecting value at line 1, column 1"),
        (b"[" * 100_000 + b"]" * 100_000, "nested 100000 levels deep"),
        (b"[" + b"9" * 5000 + b"]", "5000 characters long"),
        (b"[1e400]", "1e400 is too large"),
        (b"[-1e400]", "too large"),
        (b"[NaN]", "NaN is not a number"),
        (b"[Infinity]", "Infinity is not a number"),
    ],
)
def test_hostile_bytes_give_the_callers_error_naming_the_file(data: bytes, why: str) -> None:
    with pytest.raises(QuizSetError, match=r"set\.bstquiz: not a quiz-set file") as info:
        parse(data)
    assert why in str(info.value)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    assert nesting_depth('{"a": "[[[{{{", "b": [{"c": "\\\\\\"["}]}') == 3
    deep_text = '{"note": "' + "[" * 1000 + '"}'
    assert parse(deep_text.encode()) == {"note": "[" * 1000}


def test_caps_are_the_callers_to_set() -> None:
    with pytest.raises(QuizSetError, match=r"nested 3 levels deep \(at most 2\)"):
        parse(b"[[[1]]]", max_depth=2)
    with pytest.raises(QuizSetError, match="too large"):
        parse(b"[1, 2, 3]", max_bytes=4)


def test_read_json_names_the_file(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_bytes(b'{"x": 1}')
    assert read_json(good, what="a results file") == {"x": 1}
    with pytest.raises(UsageError, match="no such file"):
        read_json(tmp_path / "missing.json", what="a results file", error=UsageError)
    with pytest.raises(UsageError, match="this is a folder"):
        read_json(tmp_path, what="a results file", error=UsageError)
    big = tmp_path / "big.json"
    big.write_bytes(b"[" + b"1," * 600 + b"1]")
    with pytest.raises(UsageError, match=r"big\.json: too large for a results file"):
        read_json(big, what="a results file", error=UsageError, max_bytes=1000)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_load_or_raise_the_callers_error(data: bytes) -> None:
    with contextlib.suppress(QuizSetError):
        parse(data)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=20,
    )
)
def test_what_json_can_say_comes_back_unchanged(value: object) -> None:
    import json

    text = json.dumps(value)
    try:
        assert parse(text.encode()) == value
    except QuizSetError as exc:  # only the documented caps refuse valid JSON
        assert "too large" in str(exc) or "characters long" in str(exc)


def test_a_file_cut_inside_a_string_is_called_truncated() -> None:
    with pytest.raises(BonescanError, match="truncated"):
        parse_json(b'{"trainee": "Ana", "note": "half a wo', where="r.bstresult", what="a results file")
