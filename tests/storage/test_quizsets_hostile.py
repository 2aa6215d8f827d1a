"""Hostile quiz-set files end in a QuizSetError naming the file; a set is never written
that the app's own reader would refuse."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bonescan_tutor.storage.quizsets import QuizSetError, read_quizset, write_quizset
from tests.storage.instructor_data import quiz_set


def saved(tmp_path: Path) -> Path:
    path = tmp_path / "set.bstquiz"
    write_quizset(quiz_set(), path)
    return path


def test_a_5000_digit_seed_names_the_file(tmp_path: Path) -> None:
    path = saved(tmp_path)
    path.write_text(path.read_text().replace('"seed": 11', '"seed": ' + "7" * 5000))
    with pytest.raises(QuizSetError, match="5000 characters long") as exc:
        read_quizset(path)
    assert str(exc.value).startswith(str(path))


def test_nesting_100000_deep_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "deep.bstquiz"
    path.write_text('{"format": "bonescan-tutor quiz set", "id": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(QuizSetError, match="levels deep") as exc:
        read_quizset(path)
    assert str(exc.value).startswith(str(path))


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = saved(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert read_quizset(path).title == "Week 1"


@pytest.mark.parametrize("top", ["[]", '"text"', "3", "null", "true"])
def test_a_top_level_that_is_not_an_object(tmp_path: Path, top: str) -> None:
    path = tmp_path / "odd.bstquiz"
    path.write_text(top)
    with pytest.raises(QuizSetError, match="not a bonescan-tutor quiz set") as exc:
        read_quizset(path)
    assert str(exc.value).startswith(str(path))


def test_a_set_the_reader_would_refuse_is_not_written(tmp_path: Path) -> None:
    """A dataset may hold keys a quiz set refuses (``a/b``); writing must not succeed."""
    qs = quiz_set()
    bad = replace(qs, spec=replace(qs.spec, case_keys=("1", "a/b")))
    path = tmp_path / "set.bstquiz"
    with pytest.raises(QuizSetError, match="a/b") as exc:
        write_quizset(bad, path)
    assert str(path) in str(exc.value)
    assert not path.exists()


def test_what_is_written_reads_back_equal(tmp_path: Path) -> None:
    path = saved(tmp_path)
    assert read_quizset(path) == quiz_set()
    assert json.loads(path.read_text())["case_keys"] == ["1", "2", "7", "8"]
