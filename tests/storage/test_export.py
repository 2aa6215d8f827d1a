"""Exports: CSV rows, the xlsx against summary(), the iMRMC layout, atomic failures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bonescan_tutor.core.cases import Diagnosis, Layout
from bonescan_tutor.core.errors import UsageError
from bonescan_tutor.core.scoring import summary
from bonescan_tutor.storage.atomic_file import TEMP_PREFIX
from bonescan_tutor.storage.export import (
    ExportError,
    export_attempts_csv,
    export_imrmc,
    export_workbook,
    imrmc_path,
)
from tests.storage.instructor_data import M, N, stored

NAMES = {1: "Ana", 2: "Ben, Jr"}


def attempts() -> list:
    return [
        stored("1", M, M, 90, trainee_id=1, session_id=1, row_id=1, at=1e9),
        stored("7", N, M, 60, trainee_id=1, session_id=1, row_id=2, at=1e9 + 1),
        stored("8", N, N, 100, trainee_id=1, session_id=2, row_id=3, at=1e9 + 2, fingerprint="old"),
        stored("2", M, None, None, trainee_id=1, session_id=2, row_id=4, at=1e9 + 3),
        stored("1", M, N, 70, trainee_id=2, session_id=3, row_id=5, at=1e9 + 4),
        stored("7", N, N, 80, trainee_id=2, session_id=3, row_id=6, at=1e9 + 5),
        stored("9", N, M, 50, trainee_id=2, session_id=3, row_id=7, at=1e9 + 6, label_shown=False),
    ]


def test_csv_rows_hide_unrevealed_labels_and_mark_old_versions(tmp_path: Path) -> None:
    path = export_attempts_csv(attempts(), tmp_path / "a.csv", NAMES, current_fingerprint="fp-1")
    df = pd.read_csv(path, keep_default_na=False)
    assert list(df["trainee"]) == ["Ana"] * 4 + ["Ben, Jr"] * 3
    assert list(df["older_dataset_version"]) == [False, False, True, False, False, False, False]
    hidden = df[df["case_key"] == 9].iloc[0]
    assert hidden["truth"] == "" and hidden["correct"] == ""
    row = df.iloc[1]
    assert (
        row["decision"] == "metastases"
        and float(row["p_metastases"]) == 0.6
        and row["truth"] == "no_metastases"
    )
    assert str(row["correct"]) == "False"
    assert df.iloc[0]["answered_at"] == "2001-09-09T01:46:40Z"


def test_truth_label_names_the_open_datasets_own_class_beside_the_code(tmp_path: Path) -> None:
    """BS-80K's positive class is "Abnormal": the export keeps the code ``metastases`` and
    adds the dataset's own class name, only for answers given on the open dataset."""
    data = [a for a in attempts() if a.label_shown]
    fingerprint = data[0].dataset_fingerprint
    path = export_attempts_csv(
        data, tmp_path / "a.csv", NAMES, current_fingerprint=fingerprint, current_layout=Layout.BS80K
    )
    df = pd.read_csv(path, keep_default_na=False, dtype=str)
    first, old = df.iloc[0], df[df["case_key"] == "8"].iloc[0]
    assert (first["truth"], first["truth_label"]) == ("metastases", "Abnormal")
    assert old["truth"] == "no_metastases" and old["truth_label"] == Diagnosis.NO_METASTASES.label
    plain = pd.read_csv(export_attempts_csv(data, tmp_path / "b.csv", NAMES), dtype=str)
    assert plain.iloc[0]["truth_label"] == Diagnosis.METASTASES.label
    book = export_workbook(
        data, {}, tmp_path / "w.xlsx", NAMES, current_fingerprint=fingerprint, current_layout=Layout.BS80K
    )
    sheet = pd.read_excel(book, sheet_name="Attempts", dtype=str)
    assert sheet.iloc[0]["truth_label"] == "Abnormal"


def test_workbook_has_the_summary_figures(tmp_path: Path) -> None:
    data = attempts()
    per = {
        "Ana": summary([s.answer for s in [a for a in data if a.trainee_id == 1]]),
        "Ben, Jr": summary([s.answer for s in [a for a in data if a.trainee_id == 2]]),
    }
    path = export_workbook(data, per, tmp_path / "r.xlsx", NAMES)
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["Summary", "Attempts", "Session 1", "Session 2", "Session 3"]
    s = sheets["Summary"].set_index("trainee")
    for name, expected in per.items():
        m = expected.metrics
        assert s.loc[name, "accuracy"] == pytest.approx(m.accuracy.estimate)
        assert s.loc[name, "accuracy_low"] == pytest.approx(m.accuracy.low)
        assert s.loc[name, "accuracy_high"] == pytest.approx(m.accuracy.high)
        assert s.loc[name, "sensitivity_k"] == m.sensitivity.k
        assert s.loc[name, "specificity_n"] == m.specificity.n
        assert s.loc[name, "cases"] == expected.n_attempts
    # Ana: 1 TP, 1 FP, 1 TN, 1 unanswered positive -> accuracy 2/4
    assert s.loc["Ana", "accuracy"] == pytest.approx(0.5)
    assert len(sheets["Attempts"]) == 7 and len(sheets["Session 2"]) == 2


def read_imrmc(path: Path) -> tuple[dict[str, str], list[list[str]]]:
    """Parse a file by the rules of iMRMC's InputFile reader, failing where it would:
    description lines up to ``BEGIN DATA:`` carrying ``NR: N0: N1: NM:`` counts; then
    rows of exactly four comma-separated fields, reader ``-1`` for truth rows whose score
    is 0 or 1, one truth row per case, numeric scores, and every read case with a truth."""
    assert path.suffix == ".imrmc"
    lines = path.read_text(encoding="utf-8").splitlines()
    begin = lines.index("BEGIN DATA:")
    header = {}
    for line in lines[:begin]:
        head, _, value = line.partition(":")
        if head.strip() in ("NR", "N0", "N1", "NM"):
            header[head.strip()] = value.strip()
    assert set(header) == {"NR", "N0", "N1", "NM"}
    rows = [line.split(",") for line in lines[begin + 1 :] if line.strip()]
    assert rows and all(len(r) == 4 for r in rows)
    truth = [r for r in rows if r[0] == "-1"]
    scores = [r for r in rows if r[0] != "-1"]
    assert all(r[3] in ("0", "1") for r in truth)
    assert len({r[1] for r in truth}) == len(truth)  # one truth per case
    for r in scores:
        float(r[3])
    assert {r[1] for r in scores} <= {r[1] for r in truth}
    assert int(header["NR"]) == len({r[0] for r in scores})
    assert int(header["N1"]) == sum(r[3] == "1" for r in truth)
    assert int(header["N0"]) == sum(r[3] == "0" for r in truth)
    assert int(header["NM"]) == len({r[2] for r in scores})
    return header, rows


def keys(path: Path, kind: str) -> pd.DataFrame:
    stem = path.name.removesuffix(".imrmc")
    return pd.read_csv(path.with_name(f"{stem}.{kind}.csv"), dtype=str, keep_default_na=False)


def test_imrmc_layout(tmp_path: Path) -> None:
    path = export_imrmc(attempts(), tmp_path / "m.imrmc", modality="bone scan", trainee_names=NAMES)
    assert path == tmp_path / "m.imrmc"
    header, rows = read_imrmc(path)
    assert header == {"NR": "2", "N0": "2", "N1": "1", "NM": "1"}
    # Readers and cases are numbers; RJafroc's reader needs that.
    assert all(r[0].lstrip("-").isdigit() and r[1].isdigit() for r in rows)
    readers = dict(keys(path, "readers").itertuples(index=False))
    assert readers == {"1": "Ana", "2": "Ben, Jr"}
    cases = keys(path, "cases")
    assert list(cases.columns) == ["case_id", "case_key", "truth", "truth_label"]
    assert list(cases["truth_label"]) == ["Bone metastases", "No bone metastases",
                                          "No bone metastases"]
    case_key = dict(zip(cases["case_id"], cases["case_key"], strict=True))
    assert case_key == {"1": "1", "2": "7", "3": "8"}
    assert dict(zip(cases["case_key"], cases["truth"], strict=True)) == {
        "1": "metastases", "7": "no_metastases", "8": "no_metastases"}
    truth = {case_key[r[1]]: r[3] for r in rows if r[0] == "-1"}
    assert truth == {"1": "1", "7": "0", "8": "0"}
    assert all(r[2] == "truth" for r in rows if r[0] == "-1")
    scores = {(readers[r[0]], case_key[r[1]]): float(r[3]) for r in rows if r[0] != "-1"}
    assert scores == {
        ("Ana", "1"): 90.0,  # metastases at 90 %
        ("Ana", "7"): 60.0,
        ("Ana", "8"): 0.0,  # no metastases at 100 %
        ("Ben, Jr", "1"): 30.0,  # no metastases at 70 %
        ("Ben, Jr", "7"): 20.0,
    }
    assert all(r[2] == "bone_scan" for r in rows if r[0] != "-1")


def test_imrmc_never_merges_trainees_whose_names_look_alike(tmp_path: Path) -> None:
    data = [
        stored("1", M, M, 90, trainee_id=1, row_id=1, at=1e9),
        stored("7", N, N, 80, trainee_id=1, row_id=2, at=1e9 + 1),
        stored("1", M, N, 60, trainee_id=2, row_id=3, at=1e9 + 2),
        stored("7", N, M, 70, trainee_id=2, row_id=4, at=1e9 + 3),
    ]
    path = export_imrmc(data, tmp_path / "m.imrmc",
                        trainee_names={1: "Ana Rivas", 2: "Ana, Rivas"})
    header, rows = read_imrmc(path)
    assert header["NR"] == "2"
    assert len([r for r in rows if r[0] != "-1"]) == 4  # nobody's answers vanish
    readers = dict(keys(path, "readers").itertuples(index=False))
    assert sorted(readers.values()) == ["Ana Rivas", "Ana, Rivas"]


@pytest.mark.parametrize(
    ("given", "written"),
    [("x.txt", "x.txt.imrmc"), ("x", "x.imrmc"), ("x.IMRMC", "x.IMRMC"), ("x.csv", "x.csv.imrmc")],
)
def test_imrmc_file_name_ends_in_imrmc(tmp_path: Path, given: str, written: str) -> None:
    target, note = imrmc_path(tmp_path / given)
    assert target == tmp_path / written
    assert (note is None) == (given == written)
    if note:
        assert given in note and written in note
    path = export_imrmc(attempts(), tmp_path / given)
    assert path == tmp_path / written and path.is_file()
    stem = written[: -len(".imrmc")]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [written, f"{stem}.readers.csv", f"{stem}.cases.csv"])


def test_imrmc_names_a_bs80k_class_beside_its_code(tmp_path: Path) -> None:
    from bonescan_tutor.core.cases import Layout

    data = [stored("1", M, M, 90, row_id=1, at=1.0, fingerprint="bs"),
            stored("2", N, N, 90, row_id=2, at=2.0, fingerprint="bs"),
            stored("3", M, N, 90, row_id=3, at=3.0, fingerprint="other")]
    path = export_imrmc(data, tmp_path / "m.imrmc", current_fingerprint="bs",
                        current_layout=Layout.BS80K)
    cases = keys(path, "cases")
    assert list(cases["truth"]) == ["metastases", "no_metastases", "metastases"]
    # Case 3 was answered on another dataset: its own class names are not known.
    assert list(cases["truth_label"]) == ["Abnormal", "Normal", "Bone metastases"]


def test_imrmc_uses_the_latest_answer_per_reader_and_case(tmp_path: Path) -> None:
    data = [
        stored("1", M, N, 90, row_id=1, at=10.0),
        stored("1", M, M, 80, row_id=2, at=20.0, session_id=2),
    ]
    lines = export_imrmc(data, tmp_path / "m.imrmc").read_text().splitlines()
    assert lines[-1] == "1,1,reader,80"


def test_imrmc_with_nothing_revealed(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="Nothing to export"):
        export_imrmc([stored("1", M, M, label_shown=False)], tmp_path / "m.imrmc")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["csv", "xlsx", "imrmc"])
def test_unwritable_path_raises_and_leaves_nothing(tmp_path: Path, kind: str) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    target = blocker / f"out.{kind}"
    with pytest.raises(ExportError, match="not-a-folder"):
        if kind == "csv":
            export_attempts_csv(attempts(), target)
        elif kind == "xlsx":
            export_workbook(attempts(), {}, target)
        else:
            export_imrmc(attempts(), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


def test_failure_midway_removes_the_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(ExportError, match="No space left"):
        export_attempts_csv(attempts(), tmp_path / "a.csv")
    assert [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)] == []
    assert not (tmp_path / "a.csv").exists()


def test_an_existing_export_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("old")
    export_attempts_csv(attempts(), path)
    assert path.read_text().startswith("trainee,session_id,case_key")


SUMMARY_COLUMNS = [  # the Summary sheet and the cohort's Trainees table read by position too
    "trainee", "cases", "answered",
    *(f"{name}{end}" for name in ("accuracy", "sensitivity", "specificity", "ppv", "npv")
      for end in ("", "_low", "_high", "_k", "_n")),
    "balanced_accuracy", "kappa", "auc", "auc_low", "auc_high", "brier", "median_time_s",
]


def test_summary_columns_keep_their_names_and_order(tmp_path: Path) -> None:
    data = attempts()
    per = {"Ana": summary([a.answer for a in data if a.trainee_id == 1])}
    path = export_workbook(data, per, tmp_path / "r.xlsx", NAMES)
    columns = list(pd.read_excel(path, sheet_name="Summary").columns)
    assert columns[: len(SUMMARY_COLUMNS)] == SUMMARY_COLUMNS
