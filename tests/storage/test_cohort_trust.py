"""Cohort trust: truth from the instructor's dataset, never from a trainee's file; forged,
renamed and out-of-set results are each caught; nothing is replaced silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from bonescan_tutor.storage.cohort import UNVERIFIED, Prefer, load_cohort, trainee_summaries
from bonescan_tutor.storage.results import ResultStatus, answer_to_dict, write_results
from tests.storage.instructor_data import M, N, answer, dataset, forge, quiz_set, write_trainee

# dataset(): keys 1-6 metastatic, 7-20 not.
TRUTHS = {"1": M, "2": M, "7": N, "8": N}
KEYS = ("1", "2", "7", "8")


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    out = tmp_path / "inbox"
    qs = quiz_set(keys=KEYS)
    write_trainee(qs, out, "Ana", {"1": M, "2": M, "7": N, "8": N}, TRUTHS, 0)  # 4/4
    write_trainee(qs, out, "Ben", {"1": N, "2": M, "7": M, "8": N}, TRUTHS, 1)  # 2/4
    write_trainee(qs, out, "Cy", {"1": N, "2": N, "7": N, "8": M}, TRUTHS, 2)  # 1/4
    return out


def file_of(folder: Path, who: str) -> Path:
    return next(f for f in folder.iterdir() if f"-{who}-" in f.name)


def accuracy(cohort, who: str) -> float:
    return trainee_summaries(cohort)[who].metrics.accuracy.estimate


def test_a_forged_100_percent_is_caught_with_the_dataset(inbox: Path) -> None:
    def right_by_construction(d: dict) -> None:
        for a in d["attempts"]:
            a["truth"] = a["decision"]  # every answer "correct"

    forge(file_of(inbox, "cy"), right_by_construction)
    unverified = load_cohort([inbox])
    assert accuracy(unverified, "Cy") == 1.0  # without the dataset the forgery works ...
    assert not unverified.truth_verified and unverified.banner == UNVERIFIED
    verified = load_cohort([inbox], dataset=dataset())
    assert verified.truth_verified and "dataset" in verified.banner
    assert accuracy(verified, "Cy") == 0.25  # ... with it, Cy's real score
    assert accuracy(verified, "Ana") == 1.0
    warnings = {w.path.name: w.message for w in verified.warnings}
    cy = warnings[file_of(inbox, "cy").name]
    assert "differ from the dataset for 3 case(s)" in cy and "1, 2, 8" in cy


def test_a_renamed_file_with_a_later_date_is_a_duplicate_not_a_replacement(inbox: Path) -> None:
    forged = forge(
        file_of(inbox, "cy"),
        lambda d: d.update(trainee="Ana", created="2026-01-07T00:00:00Z"),
    )
    cohort = load_cohort([inbox], dataset=dataset())
    assert cohort.trainees == ("Ana", "Ben")
    [dup] = cohort.duplicates
    assert dup.trainee == "Ana" and dup.used == forged
    assert {p.name for p in dup.files} == {forged.name, file_of(inbox, "ana").name}
    assert forged.name in str(dup) and file_of(inbox, "ana").name in str(dup)
    assert "later" in str(dup)
    earliest = load_cohort([inbox], dataset=dataset(), prefer=Prefer.EARLIEST)
    assert earliest.duplicates[0].used == file_of(inbox, "ana")
    assert "earlier" in str(earliest.duplicates[0])
    assert accuracy(earliest, "Ana") == 1.0


def test_answers_outside_the_set_are_listed_and_dropped(inbox: Path) -> None:
    def extra(d: dict) -> None:
        d["attempts"].append(answer_to_dict(answer("3", M, M, 90, 5)))  # in the dataset, not the set
        d["attempts"].append(answer_to_dict(answer("99", M, M, 90, 6)))  # in neither

    forged = forge(file_of(inbox, "ben"), extra)
    for ds in (None, dataset()):
        cohort = load_cohort([inbox], dataset=ds)
        assert cohort.case_keys == KEYS
        ben = next(r for r in cohort.results if r.trainee == "Ben")
        assert [a.case_key for a in ben.attempts] == list(KEYS)
        said = " ".join(w.message for w in cohort.warnings if w.path == forged)
        assert "dropped" in said and {w.path for w in cohort.warnings} == {forged}
        if ds is None:
            assert "case(s) 3, 99 outside the quiz set" in said
        else:
            assert "case(s) 3 outside the quiz set" in said
            assert "case(s) 99 not in the dataset" in said


def test_a_case_missing_from_the_dataset_is_dropped_with_a_reason(tmp_path: Path) -> None:
    qs = quiz_set(keys=("1", "50"))
    for minute, who in enumerate(("Ana", "Ben")):
        write_trainee(qs, tmp_path, who, {"1": M, "50": N}, {"1": M, "50": N}, minute)
    cohort = load_cohort([tmp_path], dataset=dataset())
    assert cohort.case_keys == ("1",)
    assert all("50" in w.message and "not in the dataset" in w.message for w in cohort.warnings)
    assert len(cohort.warnings) == 2


def test_incomplete_results_are_marked(inbox: Path) -> None:
    rows = [answer("1", M, M, 90, 1), answer("2", M, None, None, 2)]
    write_results(quiz_set(keys=KEYS), "Dee", rows, inbox, status=ResultStatus.INCOMPLETE)
    cohort = load_cohort([inbox], dataset=dataset())
    dee = next(r for r in cohort.results if r.trainee == "Dee")
    assert dee.status is ResultStatus.INCOMPLETE
    assert cohort.case_keys == KEYS  # Dee's two answers do not shrink the set


def test_the_quiz_set_file_names_the_set_and_its_cases(inbox: Path, tmp_path: Path) -> None:
    """With the instructor's .bstquiz, even a lone file's extra case is outside the set."""
    qs = quiz_set(keys=KEYS)
    lone = tmp_path / "lone"
    path = write_trainee(qs, lone, "Ana", {"1": M, "2": M, "7": N, "8": N}, TRUTHS, 0)
    forge(path, lambda d: d["attempts"].append(answer_to_dict(answer("3", M, M, 90, 5))))
    assert "3" in load_cohort([lone]).case_keys  # one file alone: nothing to compare with
    cohort = load_cohort([lone], quiz_set=qs)
    assert cohort.case_keys == KEYS and "outside the quiz set" in cohort.warnings[0].message
    other = quiz_set(keys=KEYS, qid="quiz-9", title="Week 9")
    cohort = load_cohort([inbox], quiz_set=other)
    assert cohort.results == () and cohort.quiz_set_title == "Week 9"
    assert all("another quiz set" in p.message for p in cohort.problems)


def test_the_workbook_names_the_label_source_both_files_and_the_status(
    inbox: Path, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from bonescan_tutor.storage.cohort_workbook import write_cohort_workbook

    renamed = forge(file_of(inbox, "cy"), lambda d: d.update(trainee="Ben", status="incomplete"))
    cohort = load_cohort([inbox], dataset=dataset(fingerprint="fp-2"))
    book = load_workbook(write_cohort_workbook(cohort, tmp_path / "c.xlsx"))
    summary = book["Summary"]
    assert summary["A1"].value.startswith("Truth from the dataset 'Tiny' (version fp-2)")
    texts = [str(c.value) for row in summary.iter_rows() for c in row if c.value is not None]
    several = next(t for t in texts if "Ben sent 2 results files" in t)
    assert renamed.name in several and file_of(inbox, "ben").name in several
    assert any("answered on dataset version fp-1, not fp-2" in t for t in texts)
    trainees = book["Trainees"]
    header = [c.value for c in trainees[1]]
    rows = trainees.iter_rows(min_row=2, values_only=True)
    status = {row[0]: row[header.index("status")] for row in rows}
    assert status == {"Ana": "complete", "Ben": "incomplete"}
    # the accuracy histogram still reads its own table, one row lower than before
    hist = summary._charts[1].series[0].val.numRef.f
    assert hist == "'Summary'!$B$10:$B$19" and summary["A10"].value == "0-10 %"
    assert summary["A19"].value == "90-100 %" and summary["B9"].value == "Trainees"


def test_without_the_dataset_a_file_whose_labels_stand_alone_is_named(inbox: Path) -> None:
    def right_by_construction(d: dict) -> None:
        for a in d["attempts"]:
            a["truth"] = a["decision"]

    forged = forge(file_of(inbox, "cy"), right_by_construction)
    cohort = load_cohort([inbox])
    [warning] = cohort.warnings
    assert warning.path == forged
    assert "labels for 3 case(s) (1, 2, 8) are not those most files give" in warning.message


def test_the_later_file_is_later_in_time_not_in_spelling(inbox: Path) -> None:
    """``created`` compared as times: 10:30+05:00 is 05:30 UTC, before Ana's 10:00 UTC."""
    early = forge(file_of(inbox, "cy"), lambda d: d.update(trainee="Ana",
                                                           created="2026-01-06T10:30:00+05:00"))
    cohort = load_cohort([inbox], dataset=dataset())
    assert cohort.duplicates[0].used == file_of(inbox, "ana") and early in cohort.duplicates[0].files
