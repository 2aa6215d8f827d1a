"""The RJafroc JAFROC workbook, checked against the rules of RJafroc's reader as written in
R/DfReadDataFile.R (ReadJAFROCNewFormat, checkTruthTable, preCheck4BadEntries) and its
example workbooks inst/extdata/toyFiles/FROC/frocCr.xlsx and inst/extdata/Froc.xlsx."""

from __future__ import annotations

import csv
import itertools
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from bonescan_tutor.core.annotations import AnnotationSet, CaseAnnotations, Mark
from bonescan_tutor.core.cases import Projection
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.storage.rjafroc import export_rjafroc, jafroc_tables, read_cases
from tests.storage.instructor_data import M, N, stored

A, P = Projection.ANTERIOR, Projection.POSTERIOR

TRUTH = AnnotationSet("D", "fp-1", {
    "3": CaseAnnotations(lesions=(Mark(A, 100, 100, 8), Mark(A, 100, 300, 8), Mark(P, 50, 500, 8))),
    "10": CaseAnnotations(lesions=(Mark(A, 60, 700, 10),)),
    "4": CaseAnnotations(findings=(Mark(A, 20, 20, 5, kind="injection site"),)),
    "99": CaseAnnotations(lesions=(Mark(A, 1, 1, 1),)),  # never answered: not in TRUTH
})


def marked(a, *marks):
    return replace(a, answer=replace(a.answer, marks=tuple(marks)))


def attempts() -> list:
    return [
        # Ana: finds lesions 1 and 3 of case 3 (metastases 90 %: rating 90), a false mark on
        # the normal case 4 (no metastases 70 %: rating 30), misses case 10 (rating 20)
        marked(stored("3", M, M, 90, trainee_id=1, row_id=1, at=1.0), (A, 101, 99), (P, 52, 503)),
        marked(stored("4", N, N, 70, trainee_id=1, row_id=2, at=2.0), (A, 21, 22)),
        marked(stored("10", M, N, 80, trainee_id=1, row_id=3, at=3.0)),
        # an unannotated metastatic case: left out, named
        marked(stored("12", M, M, 60, trainee_id=1, row_id=4, at=4.0), (A, 5, 5)),
        # Ben (named like a formula): two marks on lesion 1 of case 10 (one LL, one NL), and
        # case 4 answered but label not shown: not exported
        marked(stored("10", M, M, 100, trainee_id=2, row_id=5, at=5.0), (A, 60, 700), (A, 62, 702)),
        marked(stored("4", N, M, 50, trainee_id=2, row_id=6, at=6.0, label_shown=False), (A, 9, 9)),
        # unanswered: no rating, not exported
        marked(stored("3", M, None, None, trainee_id=2, row_id=7, at=7.0), (A, 100, 100)),
    ]


NAMES = {1: "Ana", 2: "=Ben"}


def test_read_cases_takes_the_latest_revealed_answer_with_its_marks() -> None:
    later = marked(stored("3", M, N, 60, trainee_id=1, row_id=8, at=9.0), (A, 1, 1))
    cases = read_cases([*attempts(), later])
    ana = {c.case_key: c for c in cases[1]}
    assert ana["3"].rating == 40.0 and ana["3"].marks == ((A, 1, 1),)
    assert ana["4"].rating == pytest.approx(30.0) and not ana["4"].metastatic
    assert [c.case_key for c in cases[2]] == ["10"]


def test_the_workbook_follows_rjafrocs_rules(tmp_path: Path) -> None:
    path, notes = export_rjafroc(attempts(), TRUTH, tmp_path / "froc.xlsx", NAMES)
    wb = openpyxl.load_workbook(path)
    # ReadJAFROCNewFormat: sorted upper-case sheet names FP|NL, TP|LL, TRUTH (3 sheets)
    assert sorted(s.upper() for s in wb.sheetnames) == ["FP", "TP", "TRUTH"]
    truth = list(wb["TRUTH"].iter_rows(values_only=True))
    fp = list(wb["FP"].iter_rows(values_only=True))
    tp = list(wb["TP"].iter_rows(values_only=True))
    # the column names the reader looks up
    assert truth[0] == ("CaseID", "LesionID", "Weight", "ReaderID", "ModalityID", "Paradigm")
    assert fp[0] == ("ReaderID", "ModalityID", "CaseID", "FP_Rating")
    assert tp[0] == ("ReaderID", "ModalityID", "CaseID", "LesionID", "TP_Rating")
    # readers in name order ("=Ben" < "Ana"), cases in natural key order: 3 -> 1, 4 -> 2, 10 -> 3
    rows = truth[1:]
    assert rows == [
        (1, 1, pytest.approx(1 / 3), "1,2", "1", "FROC"),
        (1, 2, pytest.approx(1 / 3), "1,2", "1", "FCTRL"),
        (1, 3, pytest.approx(1 / 3), "1,2", "1", None),
        (2, 0, 0, "1,2", "1", None),  # normal case: LesionID 0, weight 0
        (3, 1, 1.0, "1,2", "1", None),
    ]
    # TRUTH holds exactly the annotated lesions of the answered cases: not 99, not 12
    assert {r[0] for r in rows} == {1, 2, 3}
    # preCheck4BadEntries: LesionIDs 0 or 1 or one more than the row before
    for before, row in itertools.pairwise(rows):
        assert row[1] in (0, 1) or row[1] == before[1] + 1
    # checkTruthTable: each metastatic case's weights sum to 1 (within 0.01)
    for case in (1, 3):
        assert sum(r[2] for r in rows if r[0] == case) == pytest.approx(1.0, abs=0.01)
    # Ben (reader 1): one LL on case 10 lesion 1 rated 100, his second mark there an NL
    # Ana (reader 2): LL on case 3 lesions 1 and 3 rated 90; NL on case 4 rated 30
    assert tp[1:] == [("1", "1", 3, 1, 100.0), ("2", "1", 1, 1, 90.0), ("2", "1", 1, 3, 90.0)]
    assert fp[1:] == [("1", "1", 3, 100.0), ("2", "1", 2, pytest.approx(30.0))]
    # every FP and TP case is in TRUTH; no TP on a normal case; no duplicate TP
    truth_cases = {r[0] for r in rows}
    normal = {r[0] for r in rows if r[1] == 0}
    assert {r[2] for r in fp[1:]} <= truth_cases
    assert all((r[2], r[3]) in {(t[0], t[1]) for t in rows} for r in tp[1:])
    assert not {r[2] for r in tp[1:]} & normal
    assert len({r[:4] for r in tp[1:]}) == len(tp) - 1
    assert any("12" in n and "left out" in n for n in notes)
    assert any(n.startswith("=Ben did not answer 2") for n in notes)
    # key tables beside the workbook, formula-like names neutralised
    with open(tmp_path / "froc.readers.csv", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [["reader_id", "trainee"], ["1", "'=Ben"], ["2", "Ana"]]
    with open(tmp_path / "froc.cases.csv", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [
            ["case_id", "case_key", "truth", "lesions"], ["1", "3", "metastases", "3"],
            ["2", "4", "no_metastases", "0"], ["3", "10", "metastases", "1"]]


def test_a_name_without_xlsx_gets_it_and_says_so(tmp_path: Path) -> None:
    path, notes = export_rjafroc(attempts(), TRUTH, tmp_path / "froc", NAMES)
    assert path == tmp_path / "froc.xlsx" and path.is_file()
    assert "froc.xlsx instead" in notes[0]


def test_nothing_to_export_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="Nothing to export for RJafroc"):
        export_rjafroc(attempts()[6:], TRUTH, tmp_path / "x.xlsx", NAMES)
    assert not (tmp_path / "x.xlsx").exists()


def test_localization_figures_come_from_the_same_marks() -> None:
    tables = jafroc_tables(attempts(), TRUTH, NAMES)
    assert tables.readers == {1: "=Ben", 2: "Ana"}
    assert tables.left_out == ("12",)
