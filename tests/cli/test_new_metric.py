"""A metric registered once reaches every table: report --json, the summary export, the
cohort workbook and CSV, cohort --json, the dashboard cards and the cohort view."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from bonescan_tutor import cli
from bonescan_tutor.core import metric_registry
from bonescan_tutor.core.estimates import Estimate
from bonescan_tutor.core.metric_registry import Kind, Metric
from bonescan_tutor.core.scoring import Summary
from bonescan_tutor.gui.instructor.cohort_model import trainee_cells, trainee_columns
from bonescan_tutor.gui.results import series
from bonescan_tutor.storage.cohort import load_cohort
from bonescan_tutor.storage.cohort_workbook import write_cohort_csv, write_cohort_workbook
from tests.cli.test_report_cli import M, N, record
from tests.storage.instructor_data import quiz_set, write_trainee


def _answered_share(s: Summary) -> Estimate:
    """A toy figure: the share of answered cases among those read."""
    return Estimate(s.n_answered / s.n_attempts if s.n_attempts else None)


TOY = Metric("toy_answered_share", "Toy share", Kind.ESTIMATE, _answered_share, digits=3,
             detail="a toy")


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> Metric:
    monkeypatch.setattr(metric_registry, "METRICS", (*metric_registry.METRICS, TOY))
    return TOY


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = cli.run(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_a_registered_metric_appears_in_report_and_its_export(
    toy: Metric, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    record("Ana", [("1", M, M, True, "fp"), ("2", M, None, True, "fp"), ("7", N, N, True, "fp")])
    report = json.loads(run(capsys, "report", "--json", "--export", str(tmp_path / "a.xlsx")))
    assert report["trainees"][0]["figures"][toy.name]["value"] == pytest.approx(2 / 3)
    row = pd.read_excel(tmp_path / "a.xlsx", sheet_name="Summary").iloc[0]
    assert row[toy.name] == pytest.approx(2 / 3)
    text = run(capsys, "report")
    assert "  Toy share:          0.667" in text.splitlines()


def test_a_registered_metric_appears_in_the_cohort_outputs(
    toy: Metric, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    qs = quiz_set(keys=("1", "7"))
    truths = {"1": M, "7": N}
    write_trainee(qs, tmp_path, "Ana", {"1": M, "7": None}, truths)
    cohort = load_cohort([tmp_path])
    trainees = load_workbook(write_cohort_workbook(cohort, tmp_path / "c.xlsx"))["Trainees"]
    header = [c.value for c in trainees[1]]
    assert trainees.cell(2, header.index(toy.name) + 1).value == pytest.approx(0.5)
    csv = pd.read_csv(write_cohort_csv(cohort, tmp_path / "c.csv"), skiprows=1)
    assert csv.loc[0, toy.name] == pytest.approx(0.5)
    out = json.loads(run(capsys, "cohort", str(tmp_path), "--out", str(tmp_path / "d.xlsx"),
                         "--json"))
    assert out["trainees"][0][toy.name] == pytest.approx(0.5)


def test_a_registered_metric_appears_on_the_dashboard_and_the_cohort_view(toy: Metric) -> None:
    from bonescan_tutor.core.scoring import summary
    from tests.core.test_scoring import M, N, scored

    s = summary([scored("1", M, M, 80, float("nan"), 0.0), scored("2", N, None, None, float("nan"), 0.0)])
    cards = {h.title: h for h in series.headlines(s)}
    assert (cards["Toy share"].value, cards["Toy share"].detail) == ("0.500", "a toy")
    assert series.card_count() == len(cards)
    columns = trainee_columns()
    assert columns[-3] == "Toy share"
    assert trainee_cells("Ana", s, "complete", "a.bstresult")[-3] == "0.500"
