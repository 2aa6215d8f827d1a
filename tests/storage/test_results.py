"""Results files: written whole, named, verified by checksum, older versions accepted."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bonescan_tutor.core.answers import AnswerTable
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.storage.atomic_file import TEMP_PREFIX
from bonescan_tutor.storage.results import (
    ResultsFileError,
    checksum_of,
    read_results,
    write_results,
)
from tests.storage.instructor_data import M, N, answer, forge, quiz_set, stored

NOW = dt.datetime(2026, 1, 6, 10, 30, 5, tzinfo=dt.UTC)


def rows() -> list:
    return [answer("1", M, M, 90, 1), answer("7", N, M, 60, 2), answer("8", N, None, None, 3)]


def test_round_trip_and_file_name(tmp_path: Path) -> None:
    qs = quiz_set(title="Week 1: Bones!")
    path = write_results(qs, "Ána Rivas", rows(), tmp_path, now=NOW)
    assert path.name == "week-1-bones-ana-rivas-20260106T103005Z.bstresult"
    r = read_results(path)
    assert r.trainee == "Ána Rivas" and r.quiz_set_id == "quiz-1"
    assert r.quiz_set_fingerprint == qs.fingerprint
    assert r.attempts == tuple(rows()) and r.created == "2026-01-06T10:30:05Z"
    assert r.path == path and r.checksum.startswith("sha256:")
    data = json.loads(path.read_text())
    assert data["attempts"][2]["decision"] is None and data["mode"] == "exam"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_an_edited_mark_on_an_unknown_view_is_dropped_the_rest_read(tmp_path: Path) -> None:
    from dataclasses import replace

    from bonescan_tutor.core.cases import Projection

    marked = replace(answer("1", M, M, 90, 1), marks=((Projection.POSTERIOR, 4.0, 5.5),))
    path = write_results(quiz_set(), "Ana", [marked], tmp_path, now=NOW)
    forge(path, lambda d: d["attempts"][0]["marks"].append(["lateral", 1, 2]))
    (got,) = read_results(path).attempts
    assert got.marks == ((Projection.POSTERIOR, 4.0, 5.5),) and got == marked
    assert got.started_at is None  # results files carry no start time


def test_a_taken_name_gets_a_number(tmp_path: Path) -> None:
    a = write_results(quiz_set(), "Ana", rows(), tmp_path, now=NOW)
    b = write_results(quiz_set(), "Ana", rows(), tmp_path, now=NOW)
    assert a != b and b.stem.endswith("-2")


def test_folder_from_the_quiz_set_or_none(tmp_path: Path) -> None:
    qs = quiz_set(results_folder=str(tmp_path / "collect"))
    path = write_results(qs, "Ana", rows(), now=NOW)
    assert path.parent == tmp_path / "collect"
    with pytest.raises(UsageError, match="names no results folder"):
        write_results(quiz_set(), "Ana", rows(), now=NOW)


def test_from_stored_attempts(tmp_path: Path) -> None:
    attempts = [stored("1", M, M, 90, fingerprint="fp-9"), stored("7", N, N, None)]
    r = read_results(write_results(quiz_set(), "Ana", attempts, tmp_path, now=NOW))
    assert [a.case_key for a in r.attempts] == ["1", "7"]
    assert r.dataset_fingerprint == "fp-1"  # the last attempt's
    assert r.attempts[1].certainty is None and r.attempts[1].correct


def test_truncated_file(tmp_path: Path) -> None:
    path = write_results(quiz_set(), "Ana", rows(), tmp_path, now=NOW)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ResultsFileError, match="truncated"):
        read_results(path)


def test_edited_file_fails_the_checksum(tmp_path: Path) -> None:
    path = write_results(quiz_set(), "Ana", rows(), tmp_path, now=NOW)
    data = json.loads(path.read_text())
    data["attempts"][1]["decision"] = "no_metastases"  # a wrong answer made right
    path.write_text(json.dumps(data, indent=2))
    with pytest.raises(ResultsFileError, match="edited or damaged after it was written") as exc:
        read_results(path)
    assert str(path) in str(exc.value)


def test_missing_checksum_fails(tmp_path: Path) -> None:
    path = write_results(quiz_set(), "Ana", rows(), tmp_path, now=NOW)
    data = json.loads(path.read_text())
    del data["checksum"]
    path.write_text(json.dumps(data))
    with pytest.raises(ResultsFileError, match="checksum"):
        read_results(path)


def test_newer_version_and_other_formats(tmp_path: Path) -> None:
    path = write_results(quiz_set(), "Ana", rows(), tmp_path, now=NOW)
    data = json.loads(path.read_text())
    data["version"] = 7
    path.write_text(json.dumps(data))
    with pytest.raises(ResultsFileError, match="newer bonescan-tutor"):
        read_results(path)
    other = tmp_path / "o.bstresult"
    other.write_text('{"format": "something else"}')
    with pytest.raises(ResultsFileError, match="not a bonescan-tutor results file"):
        read_results(other)
    junk = tmp_path / "j.bstresult"
    junk.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ResultsFileError, match="not UTF-8 text"):
        read_results(junk)


def test_older_app_version_is_accepted_and_kept(tmp_path: Path) -> None:
    path = write_results(quiz_set(), "Ana", rows(), tmp_path, now=NOW)
    data = json.loads(path.read_text())
    data.pop("checksum")
    data["app_version"] = "0.0.3"
    data["checksum"] = checksum_of(data)  # as that older app would have written it
    path.write_text(json.dumps(data))
    r = read_results(path)
    assert r.app_version == "0.0.3" and r.from_older_app


def test_wrong_value_inside_a_valid_checksum(tmp_path: Path) -> None:
    path = write_results(quiz_set(), "Ana", rows(), tmp_path, now=NOW)
    data = json.loads(path.read_text())
    data.pop("checksum")
    data["attempts"][0]["certainty"] = 55
    data["checksum"] = checksum_of(data)
    path.write_text(json.dumps(data))
    with pytest.raises(ResultsFileError, match=r"wrong value.*certainty 55"):
        read_results(path)


def test_unwritable_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ResultsFileError, match="cannot be created"):
        write_results(quiz_set(), "Ana", rows(), blocker / "sub", now=NOW)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_scored_answers_count_a_bare_decision_as_certain() -> None:
    a = answer("1", M, M, None)
    assert a.scored_certainty == 100
    assert answer("8", N, None).scored_certainty is None
    table = AnswerTable.from_answers([a, answer("8", N, None)])
    assert table.certainty.tolist() == [100, 0] and table.decision.tolist() == [1, -1]


def test_status_is_written_and_read(tmp_path: Path) -> None:
    from bonescan_tutor.storage.results import ResultStatus

    done = read_results(write_results(quiz_set(), "Ana", rows(), tmp_path, now=NOW))
    assert done.status is ResultStatus.COMPLETE and done.version == 2
    path = write_results(quiz_set(), "Bo", rows(), tmp_path, now=NOW,
                         status=ResultStatus.INCOMPLETE)
    data = json.loads(path.read_text())
    assert data["version"] == 2 and data["status"] == "incomplete"
    assert read_results(path).status is ResultStatus.INCOMPLETE


def test_version_1_files_read_as_complete(tmp_path: Path) -> None:
    from bonescan_tutor.storage.results import ResultStatus

    path = write_results(quiz_set(), "Ana", rows(), tmp_path, now=NOW)
    data = json.loads(path.read_text())
    del data["checksum"], data["status"]
    data["version"] = 1
    data["checksum"] = checksum_of(data)
    path.write_text(json.dumps(data))
    r = read_results(path)
    assert r.status is ResultStatus.COMPLETE and r.version == 1
    assert r.body() == {k: v for k, v in data.items() if k != "checksum"}


def test_an_unknown_status_is_refused(tmp_path: Path) -> None:
    path = write_results(quiz_set(), "Ana", rows(), tmp_path, now=NOW)
    data = json.loads(path.read_text())
    del data["checksum"]
    data["status"] = "half-done"
    data["checksum"] = checksum_of(data)
    path.write_text(json.dumps(data))
    with pytest.raises(ResultsFileError, match="wrong value"):
        read_results(path)


# -- hostile files: every one ends in a ResultsFileError naming the file ------------------


def test_a_5000_digit_number_names_the_file(tmp_path: Path) -> None:
    path = write_results(quiz_set(), "Ana", rows(), tmp_path, now=NOW)
    text = path.read_text().replace('"time_on_case_s": 5.0', '"time_on_case_s": ' + "9" * 5000, 1)
    path.write_text(text)
    with pytest.raises(ResultsFileError, match="5000 characters long") as exc:
        read_results(path)
    assert str(path) in str(exc.value)


def test_nesting_100000_deep_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "deep.bstresult"
    path.write_text('{"format": "bonescan-tutor results", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(ResultsFileError, match="levels deep") as exc:
        read_results(path)
    assert str(path) in str(exc.value)


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = write_results(quiz_set(), "Ana", rows(), tmp_path, now=NOW)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert read_results(path).trainee == "Ana"


@pytest.mark.parametrize("top", ["[]", '"text"', "3", "null"])
def test_a_top_level_that_is_not_an_object(tmp_path: Path, top: str) -> None:
    path = tmp_path / "odd.bstresult"
    path.write_text(top)
    with pytest.raises(ResultsFileError, match="not a bonescan-tutor results file"):
        read_results(path)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(quiz_set=["x"]), '"quiz_set"'),
        (lambda d: d["quiz_set"].update(id=7), '"quiz_set.id"'),
        (lambda d: d.update(attempts={"a": 1}), '"attempts"'),
        (lambda d: d["attempts"].__setitem__(1, "x"), r'"attempts\[2\]"'),
        (lambda d: d["attempts"][0].pop("truth"), r'"attempts\[1\].truth"'),
        (lambda d: d["attempts"][0].update(truth="maybe"), r'"attempts\[1\].truth"'),
        (lambda d: d["attempts"][2].update(time_on_case_s="5"), r'"attempts\[3\].time_on_case_s"'),
        (lambda d: d["attempts"][0].update(marks=[[1]]), r'"attempts\[1\].marks"'),
        (lambda d: d["attempts"][0].update(marks=7), r'"attempts\[1\].marks"'),
        (lambda d: d.update(trainee=None), '"trainee"'),
        (lambda d: d.update(trainee="  "), '"trainee"'),
        (lambda d: d.update(mode="test"), '"mode"'),
        (lambda d: d.pop("created"), '"created"'),
        (lambda d: d.update(created="yesterday"), '"created"'),
        (lambda d: d["attempts"][0].update(case_key=["1"]), r'"attempts\[1\].case_key"'),
    ],
)
def test_wrong_field_types_name_the_file_and_field(tmp_path: Path, change, field: str) -> None:
    path = forge(write_results(quiz_set(), "Ana", rows(), tmp_path, now=NOW), change)
    with pytest.raises(ResultsFileError, match=field) as exc:
        read_results(path)
    assert str(exc.value).startswith(str(path))
