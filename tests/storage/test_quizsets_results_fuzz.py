"""Property: whatever a quiz-set or results file holds, reading it gives the file or our
error naming it, never another exception. Fields of valid files are replaced by any JSON
value (and the results checksum recomputed, as a determined editor would)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bonescan_tutor.storage.quizsets import QuizSetError, read_quizset
from bonescan_tutor.storage.results import ResultsFileError, checksum_of, read_results
from tests.storage.instructor_data import M, N, answer, quiz_set

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def _results_body() -> dict:
    from bonescan_tutor.storage.results import write_results

    with tempfile.TemporaryDirectory() as tmp:
        rows = [answer("1", M, M, 90, 1), answer("7", N, None, None, 2)]
        path = write_results(quiz_set(), "Ana", rows, Path(tmp))
        data = json.loads(path.read_text())
    data.pop("checksum")
    return data


def _quizset_body() -> dict:
    return quiz_set().to_dict()


RESULTS = _results_body()
QUIZSET = _quizset_body()


def _paths(obj: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


def _replaced(body: dict, path: tuple, value: object) -> object:
    if not path:
        return value
    copy = json.loads(json.dumps(body))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_paths(RESULTS)), JSON)
def test_any_field_of_a_results_file(path: tuple, value: object) -> None:
    data = _replaced(RESULTS, path, value)
    if isinstance(data, dict):
        data["checksum"] = checksum_of(data)
    _read_or_refuse_naming_it(json.dumps(data).encode(), "r.bstresult", read_results,
                              ResultsFileError)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_paths(QUIZSET)), JSON)
def test_any_field_of_a_quiz_set_file(path: tuple, value: object) -> None:
    data = _replaced(QUIZSET, path, value)
    _read_or_refuse_naming_it(json.dumps(data).encode(), "q.bstquiz", read_quizset, QuizSetError)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes(data: bytes) -> None:
    _read_or_refuse_naming_it(data, "r.bstresult", read_results, ResultsFileError)
    _read_or_refuse_naming_it(data, "q.bstquiz", read_quizset, QuizSetError)


def _read_or_refuse_naming_it(data: bytes, name: str, read, error: type[Exception]) -> None:
    """``data`` saved as ``name`` is read, or refused by ``error`` naming the file: never
    another exception."""
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / name
        target.write_bytes(data)
        try:
            read(target)
        except error as exc:
            assert str(exc).startswith(str(target))
