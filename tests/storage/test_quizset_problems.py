"""Reading a quiz-set object: the message names the file and every problem, in a fixed
order, word for word."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.quiz import QuizSpec
from bonescan_tutor.storage.quizsets import QuizSetError, quizset_from_dict
from tests.storage.instructor_data import quiz_set


def _set(**changes: object) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(quiz_set().to_dict()))
    data.update(changes)
    return data


def _message(data: object) -> str:
    with pytest.raises(QuizSetError) as info:
        quizset_from_dict(data, "w.bstquiz")
    return str(info.value)


def test_every_field_problem_is_listed_in_one_message_in_file_order() -> None:
    data = _set(id=" ", title=7, instructions=3, author=None, created="yesterday",
                results_folder=5, version=2, pass_mark=2, lrs_endpoint="ftp://x",
                dataset=[1], case_keys="1,2", settings=3)
    assert _message(data) == (
        'w.bstquiz: "id" is blank; "title" must be text, not int; "instructions" must be '
        'text, not int; "author" must be text, not NoneType; "created" is not an ISO 8601 '
        "date and time: 'yesterday'; \"results_folder\" must be text or null; \"pass_mark\" "
        "must be null or the fraction of cases right needed to pass, from 0 to 1 (0.8 for "
        "80 %), not 2; \"lrs_endpoint\" 'ftp://x' must be an http(s) URL such as "
        'https://lrs.example.org/xAPI/; "dataset" must be an object with name, fingerprint '
        'and layout; "case_keys" must be a list of case keys; "settings" must be an object.')


def test_dataset_fields_missing_unknown_and_mistyped() -> None:
    data = _set(dataset={"name": 3, "layout": "x", "extra": 1})
    assert _message(data) == (
        "w.bstquiz: missing field(s): dataset.fingerprint; unknown field(s): dataset.extra "
        "(made by another program or a newer app? this app will not guess what they mean); "
        '"dataset.name" must be text, not int.')


def test_a_blank_creation_time_and_an_empty_key_list() -> None:
    assert _message(_set(created="")) == 'w.bstquiz: "created" is blank.'
    assert _message(_set(case_keys=[])) == (
        'w.bstquiz: "case_keys" is empty; a quiz needs at least one case.')


@pytest.mark.parametrize("version, shown", [("2", "'2'"), (True, "True"), (0, "0"),
                                            (None, "None")])
def test_a_version_that_is_not_a_whole_number_from_1(version: object, shown: str) -> None:
    assert _message(_set(version=version)) == (
        f"w.bstquiz: the format version must be a whole number >= 1, not {shown}.")


def test_a_newer_version_says_update_the_app() -> None:
    assert _message(_set(version=9)) == (
        "w.bstquiz: made by a newer bonescan-tutor (quiz-set format version 9; this app "
        "reads up to 2). Update the app to open it.")


@pytest.mark.parametrize("data", [[1], "x", _set(format="other")], ids=["list", "text", "format"])
def test_something_else_is_not_a_quiz_set(data: object) -> None:
    assert _message(data) == (
        'w.bstquiz: not a bonescan-tutor quiz set (no "format": "bonescan-tutor quiz set").')


def test_a_spec_the_quiz_refuses_is_named_with_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: QuizSpec) -> None:
        raise UsageError("The quiz is not usable.")

    monkeypatch.setattr(QuizSpec, "validate", refuse)
    assert _message(_set()) == "w.bstquiz: The quiz is not usable."


def test_optional_fields_absent_or_null_read_as_their_defaults() -> None:
    data = _set(version=2, pass_mark=None, lrs_endpoint=None, results_folder=None)
    del data["instructions"], data["author"]
    qs = quizset_from_dict(data, "w.bstquiz")
    assert (qs.spec.instructions, qs.author, qs.pass_mark, qs.lrs_endpoint, qs.results_folder) \
        == ("", "", None, None, None)
    qs = quizset_from_dict(_set(version=2, pass_mark=1, results_folder="/r"), "w.bstquiz")
    assert qs.pass_mark == 1.0 and isinstance(qs.pass_mark, float) and qs.results_folder == "/r"
