"""Instructor > Cohort results: background merge, tables, thumbnails, problems, workbook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt

from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.datasets.thumbnails import THUMB_HEIGHT
from bonescan_tutor.gui.instructor.cohort_dialog import CohortDialog
from bonescan_tutor.gui.instructor.cohort_model import CohortReport, trainee_columns
from bonescan_tutor.storage.quizsets import QuizSet
from tests.storage.instructor_data import forge, week4_cohort


@pytest.fixture
def setup(tmp_path: Path):
    """A built dataset (cases 1-2 metastatic, 3-5 not), three trainees and two bad files."""
    cohort = week4_cohort(tmp_path)  # Ana 4/4, Ben 2/4, Cy 1/4
    (cohort.inbox / "readme.txt").write_text("hello")
    (cohort.inbox / "broken.bstresult").write_text("{not json")
    return cohort.dataset, cohort.inbox


def opened(qtbot, settings, paths, dataset=None) -> CohortDialog:
    dialog = CohortDialog(settings, dataset)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=20_000):
        dialog.load(paths)
    return dialog


def column(table, col: int) -> list[str]:
    return [table.item(r, col).text() for r in range(table.rowCount())]


def test_trainees_items_and_problems_are_shown(qtbot, settings, setup) -> None:
    _, inbox = setup
    dialog = opened(qtbot, settings, [inbox])
    assert "“Week 4”: 3 trainee(s), 4 case(s), mean accuracy 58.3 %" in dialog.headline.text()
    assert column(dialog.trainees, 0) == ["Ana", "Ben", "Cy"]
    assert column(dialog.trainees, trainee_columns().index("Accuracy"))[0].startswith("100 %")
    # items sorted hardest first: case 1 (1/3), then 4 (1/3: Cy gave no answer), ...
    assert column(dialog.items, 0)[:2] == ["1", "4"] and column(dialog.items, 3)[:2] == ["33 %"] * 2
    headers = [dialog.items.horizontalHeaderItem(c).text() for c in range(dialog.items.columnCount())]
    assert headers[5:7] == ["Point-biserial (corrected, item-rest)",
                            "Point-biserial (uncorrected, item-total)"]
    assert column(dialog.items, headers.index("No answer"))[1] == "1"  # case 4's unanswered count
    problems = dict(zip(column(dialog.problems, 0), column(dialog.problems, 1), strict=True))
    assert set(problems) == {"readme.txt", "broken.bstresult"}
    assert "not a results file" in problems["readme.txt"] and problems["broken.bstresult"]
    assert dialog.tabs.tabText(2) == "Files not merged (2)"
    assert dialog.save_button.isEnabled()


def test_the_item_table_sorts_by_number_not_text(qtbot, settings, setup) -> None:
    _, inbox = setup
    dialog = opened(qtbot, settings, [inbox])
    dialog.items.sortItems(4, Qt.SortOrder.DescendingOrder)  # discrimination
    values = [float(v) for v in column(dialog.items, 4) if v != "—"]
    assert values == sorted(values, reverse=True) and len(values) == 4
    dialog.items.sortItems(3, Qt.SortOrder.DescendingOrder)  # share correct
    assert column(dialog.items, 3)[0] == "100 %"
    dialog.items.sortItems(0, Qt.SortOrder.AscendingOrder)  # case keys in natural order
    assert column(dialog.items, 0) == ["1", "2", "3", "4"]


def test_most_missed_have_thumbnails_with_a_dataset(qtbot, settings, setup) -> None:
    dataset, inbox = setup
    dialog = opened(qtbot, settings, [inbox], dataset)
    report = dialog.report
    assert report is not None and [s.case_key for s in report.worst][:2] == ["1", "4"]
    assert set(report.thumbnails) == {s.case_key for s in report.worst}
    pixmaps = [card.findChild(type(dialog.headline), "thumbnail").pixmap()
               for card in dialog.missed_cards]
    # case 2, which every trainee got right, is not among them
    assert len(pixmaps) == 3 and all(p.height() == THUMB_HEIGHT for p in pixmaps)
    assert dialog.tabs.tabText(1) == "Most missed (3)"


def test_without_a_dataset_there_are_no_thumbnails(qtbot, settings, setup) -> None:
    _, inbox = setup
    dialog = opened(qtbot, settings, [inbox])
    assert dialog.report is not None and dialog.report.thumbnails == {}
    assert len(dialog.missed_cards) == 3


def test_the_accuracy_plot_counts_trainees_per_tenth(qtbot, settings, setup) -> None:
    import pyqtgraph as pg

    _, inbox = setup
    dialog = opened(qtbot, settings, [inbox])
    bars = [i for i in dialog.plot.plot.getPlotItem().items if isinstance(i, pg.BarGraphItem)]
    heights = list(bars[0].opts["height"])
    assert heights[2] == 1 and heights[5] == 1 and heights[9] == 1 and sum(heights) == 3
    assert "mean 58.3 %" in dialog.plot.note.text()


def test_save_workbook_writes_the_cli_workbook(qtbot, settings, setup, tmp_path: Path) -> None:
    dataset, inbox = setup
    dialog = opened(qtbot, settings, [inbox], dataset)
    out = dialog.save_workbook(tmp_path / "week4")
    assert out == tmp_path / "week4.xlsx"
    assert pd.read_excel(out, sheet_name="Trainees")["trainee"].tolist() == ["Ana", "Ben", "Cy"]
    import zipfile

    with zipfile.ZipFile(out) as z:
        assert len([n for n in z.namelist() if n.startswith("xl/media/")]) == 3


def test_nothing_mergeable_lists_the_files(qtbot, settings, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    dialog = opened(qtbot, settings, [tmp_path / "a.txt", tmp_path / "missing.bstresult"])
    assert isinstance(dialog.report, CohortReport)
    assert "No results file could be merged" in dialog.headline.text()
    assert sorted(column(dialog.problems, 0)) == ["a.txt", "missing.bstresult"]
    assert dialog.tabs.currentIndex() == 2 and not dialog.save_button.isEnabled()


def test_individual_files_merge_too(qtbot, settings, setup) -> None:
    _, inbox = setup
    files = sorted(inbox.glob("week-4-*.bstresult"))[:2]
    dialog = opened(qtbot, settings, files)
    assert column(dialog.trainees, 0) == ["Ana", "Ben"] and dialog.problems.rowCount() == 0
    assert settings.value("instructor/results_dir") == str(inbox)


# -- trust: the banner, two files for one trainee, answers outside the set -----------------


def test_the_banner_says_where_the_labels_came_from(qtbot, settings, setup) -> None:
    dataset, inbox = setup
    dialog = opened(qtbot, settings, [inbox])
    assert dialog.banner.text().startswith("Truth taken from the trainees' files, unverified")
    assert not dialog.banner.isHidden()
    dialog = opened(qtbot, settings, [inbox], dataset)
    assert dialog.banner.text().startswith("Truth from the dataset")


def test_the_instructor_picks_which_of_two_files_counts(qtbot, settings, setup) -> None:
    dataset, inbox = setup
    ana = next(inbox.glob("*-ana-*.bstresult"))
    renamed = forge(next(inbox.glob("*-cy-*.bstresult")),
                    lambda d: d.update(trainee="Ana", created="2026-03-01T00:00:00Z"))
    dialog = opened(qtbot, settings, [inbox], dataset)
    assert column(dialog.trainees, 0) == ["Ana", "Ben"]
    assert column(dialog.trainees, trainee_columns().index("File"))[0] == renamed.name  # the later file, by default
    rows = dict(zip(column(dialog.problems, 0), column(dialog.problems, 1), strict=True))
    both = rows[f"{ana.name}, {renamed.name}"]
    assert "sent 2 results files" in both and "(the later) is used" in both
    assert "1 to check" in dialog.tabs.tabText(2)
    with qtbot.waitSignal(dialog.loaded, timeout=20_000):
        dialog.prefer.setCurrentIndex(dialog.prefer.findData("earliest"))
    assert column(dialog.trainees, trainee_columns().index("File"))[0] == ana.name
    assert column(dialog.trainees, trainee_columns().index("Accuracy"))[0].startswith("100 %")


def test_answers_outside_the_set_and_incomplete_results(qtbot, settings, setup) -> None:
    dataset, inbox = setup
    extra = {"case_key": "5", "position": 5, "decision": "metastases", "certainty": 90,
             "time_on_case_s": 3.0, "answered_at": 2000.0, "timed_out": False,
             "truth": "metastases", "note": "", "marks": []}
    ben = forge(next(inbox.glob("*-ben-*.bstresult")), lambda d: d["attempts"].append(extra))
    forge(next(inbox.glob("*-cy-*.bstresult")), lambda d: d.update(status="incomplete"))
    dialog = opened(qtbot, settings, [inbox], dataset)
    assert sorted(column(dialog.items, 0)) == ["1", "2", "3", "4"]  # case 5 is not one
    rows = dict(zip(column(dialog.problems, 0), column(dialog.problems, 1), strict=True))
    assert "case(s) 5 outside the quiz set were dropped" in rows[ben.name]
    assert column(dialog.trainees, trainee_columns().index("Status")) == ["complete", "complete", "incomplete"]


def test_save_as_csv_or_refuse_another_extension(qtbot, settings, setup, tmp_path: Path) -> None:
    from bonescan_tutor.core.errors import BonescanError

    _, inbox = setup
    dialog = opened(qtbot, settings, [inbox])
    out = dialog.save_workbook(tmp_path / "week4.csv")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Truth taken from the trainees' files") or lines[0].startswith(
        '"Truth taken from the trainees')
    assert lines[1].startswith("trainee,")
    with pytest.raises(BonescanError, match=r"\.xlsx .*\.csv"):
        dialog.save_workbook(tmp_path / "week4.ods")
    assert not (tmp_path / "week4.ods").exists()


def test_the_quiz_set_file_names_the_set(qtbot, settings, setup, tmp_path: Path) -> None:
    from bonescan_tutor.storage.quizsets import write_quizset

    dataset, inbox = setup
    dialog = opened(qtbot, settings, [inbox], dataset)
    other = QuizSet.for_dataset(
        QuizSpec(id="q9", title="Week 9", case_keys=("1",), mode=QuizMode.EXAM), dataset)
    write_quizset(other, tmp_path / "w9.bstquiz")
    with qtbot.waitSignal(dialog.loaded, timeout=20_000):
        dialog.use_quiz_set(tmp_path / "w9.bstquiz")
    assert dialog.quiz_set_button.text() == "Quiz set: Week 9"
    assert dialog.trainees.rowCount() == 0
    assert "another quiz set" in " ".join(column(dialog.problems, 1))


def test_each_share_shows_its_interval_on_hover(qtbot, settings, setup) -> None:
    _, inbox = setup
    dialog = opened(qtbot, settings, [inbox])
    col = trainee_columns().index("Sensitivity")
    ben = dialog.trainees.item(1, col)  # Ben found 1 of the 2 cases with metastases
    assert ben.text() == "50 %"
    assert ben.toolTip() == "Sensitivity 50 %, 95 % CI 9–91 % (Wilson), 1 of 2"
