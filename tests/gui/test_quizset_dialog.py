"""Instructor > New quiz set: the GUI draw equals the CLI's, ticking, filters, saving."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from bonescan_tutor.core.cases import Diagnosis
from bonescan_tutor.core.quiz import QuizMode, Tool
from bonescan_tutor.core.quiz_draw import draw_cases
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.datasets.detect import open_dataset
from bonescan_tutor.gui.instructor import quizset_dialog as builder_module
from bonescan_tutor.gui.instructor.model import Mix
from bonescan_tutor.gui.instructor.quizset_dialog import QuizSetDialog
from bonescan_tutor.storage.quizsets import read_quizset
from tests.builders import Spec, build

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ds_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("ds"), Spec(n_met=5, n_normal=11))


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The messages the builder would show in its error dialog (never a modal in tests)."""
    shown: list[str] = []
    monkeypatch.setattr(builder_module, "show_error", lambda _p, _t, message: shown.append(message))
    return shown


@pytest.fixture
def make(qtbot, settings, ds_path: Path):
    caches: list[ImageCache] = []

    def factory() -> QuizSetDialog:
        dataset, _ = open_dataset(ds_path)
        cache = ImageCache()
        caches.append(cache)
        dialog = QuizSetDialog(dataset, settings, cache)
        qtbot.addWidget(dialog)
        return dialog

    yield factory
    for cache in caches:
        cache.close()


def cli_create(ds: Path, out: Path, *args: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run(
        [sys.executable, "-m", "bonescan_tutor", "quizset", "create", "--dataset", str(ds),
         "--title", "From the CLI", "--out", str(out), *args],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert r.returncode == 0, r.stderr


def gui_draw(dialog: QuizSetDialog, qtbot, n: int, mix: Mix, seed: int, pct: float = 30.0) -> None:
    dialog.n_cases.setValue(n)
    dialog.mix.setCurrentIndex(dialog.mix.findData(mix))
    dialog.custom_percent.setValue(pct)
    dialog.seed.setValue(seed)
    qtbot.mouseClick(dialog.draw_button, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize(("n", "mix", "pct", "cli_prevalence", "seed"), [
    (8, Mix.BALANCED, 0.0, ["--prevalence", "0.5"], 17),
    (10, Mix.CUSTOM, 30.0, ["--prevalence", "0.3"], 2024),
    (7, Mix.NATURAL, 0.0, [], 5),
])
def test_the_gui_draw_writes_the_keys_the_cli_writes(
    make, qtbot, ds_path: Path, tmp_path: Path, n, mix, pct, cli_prevalence, seed
) -> None:
    cli_file = tmp_path / "cli.bstquiz"
    cli_create(ds_path, cli_file, "--cases", str(n), "--seed", str(seed), *cli_prevalence)
    dialog = make()
    gui_draw(dialog, qtbot, n, mix, seed, pct)
    dialog.form.title.setText("From the GUI")
    dialog.save_to(tmp_path / "gui.bstquiz")
    gui, cli = read_quizset(tmp_path / "gui.bstquiz"), read_quizset(cli_file)
    assert gui.spec.case_keys == cli.spec.case_keys and len(gui.spec.case_keys) == n
    assert gui.spec.seed == cli.spec.seed == seed
    assert gui.dataset_fingerprint == cli.dataset_fingerprint
    assert gui.id != cli.id


def test_drawn_cases_are_ticked_and_counted(make, qtbot) -> None:
    dialog = make()
    gui_draw(dialog, qtbot, 6, Mix.BALANCED, 3)
    ticked = [dialog.shown[r].key for r in range(dialog.table.rowCount())
              if dialog.table.item(r, 0).checkState() == Qt.CheckState.Checked]
    assert sorted(ticked) == sorted(dialog.chosen_keys()) and len(ticked) == 6
    assert "6 chosen: 3 with metastases, 3 without" in dialog.chosen_label.text()


def test_ticking_by_hand_and_filters(make, settings, tmp_path: Path) -> None:
    dialog = make()
    dialog.diagnosis.setCurrentIndex(dialog.diagnosis.findData(Diagnosis.METASTASES))
    assert [c.key for c in dialog.shown] == ["1", "2", "3", "4", "5"]
    assert dialog.mix.itemText(0) == "Natural (100 %)"
    for row in (0, 2):
        dialog.table.item(row, 0).setCheckState(Qt.CheckState.Checked)
    dialog.diagnosis.setCurrentIndex(0)
    dialog.age_min.setValue(55)  # ages are 40 + patient number: cases 15 and 16
    assert [c.key for c in dialog.shown] == ["15", "16"]
    dialog.table.item(1, 0).setCheckState(Qt.CheckState.Checked)
    assert dialog.chosen_keys() == ("1", "3", "16")
    assert "(2 not in the filtered list)" in dialog.chosen_label.text()
    dialog.table.item(1, 0).setCheckState(Qt.CheckState.Unchecked)
    assert dialog.chosen_keys() == ("1", "3")


def test_the_filter_narrows_the_draw(make, qtbot) -> None:
    dialog = make()
    dialog.age_min.setValue(50)  # cases 10-16, all without metastases
    gui_draw(dialog, qtbot, 4, Mix.NATURAL, 9)
    keys = dialog.chosen_keys()
    assert len(keys) == 4 and all(int(k) >= 10 for k in keys)
    assert keys == draw_cases(dialog.dataset, 4, None, 9, dialog.current_filter().accepts)


def test_a_draw_that_cannot_be_made_says_why(make, qtbot, errors: list[str]) -> None:
    dialog = make()
    gui_draw(dialog, qtbot, 12, Mix.BALANCED, 1)
    assert dialog.chosen_keys() == ()
    assert len(errors) == 1 and "only 5 usable" in errors[0]


def test_every_option_reaches_the_file(make, qtbot, settings, tmp_path: Path) -> None:
    dialog = make()
    gui_draw(dialog, qtbot, 4, Mix.BALANCED, 8)
    f = dialog.form
    f.title.setText("  Week 5 exam ")
    f.instructions.setPlainText("Read each scan twice.")
    f.author.setText("Dr. Rivas")
    f.mode.setCurrentIndex(f.mode.findData(QuizMode.EXAM))
    f.time_per_case.setValue(90)
    f.time_total.setValue(20)
    f.show_clinical.setChecked(False)
    f.certainty.setChecked(False)
    for tool, box in f.tools.items():
        box.setChecked(tool in (Tool.WINDOWING, Tool.INVERT))
    f.results_folder.setText(str(tmp_path / "inbox"))
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_to(tmp_path / "week5")
    assert saved.args == [tmp_path / "week5.bstquiz"]
    data = json.loads((tmp_path / "week5.bstquiz").read_text())
    assert data["title"] == "Week 5 exam" and data["instructions"] == "Read each scan twice."
    assert data["author"] == "Dr. Rivas" and data["results_folder"] == str(tmp_path / "inbox")
    assert data["settings"] == {
        "mode": "exam", "seed": 8, "shuffle": True, "time_limit_per_case_s": 90.0,
        "time_limit_total_s": 1200.0, "show_clinical": False,
        "tools_allowed": ["invert", "windowing"], "certainty_required": False,
    }
    assert settings.value("instructor/author") == "Dr. Rivas"


def test_saving_without_title_or_cases_explains(make, qtbot, errors, tmp_path: Path) -> None:
    dialog = make()
    dialog.save()
    assert "no case" in errors[-1]
    dialog.set_chosen(["2", "9"])
    dialog.save()
    assert "title" in errors[-1]
    assert not list(tmp_path.glob("*.bstquiz"))


def test_clicking_a_case_previews_it_with_its_label(make, qtbot) -> None:
    dialog = make()
    dialog.show()
    dialog.table.setCurrentCell(1, 1)
    assert "Case 2" in dialog.preview_title.text()
    assert "Bone metastases" in dialog.preview_title.text()
    assert dialog.viewer.presenter.images  # the views were decoded through the shared cache
    assert len(dialog.viewer.cache) >= 1


def test_pass_mark_and_lrs_endpoint_round_trip_through_the_file(
        make, qtbot, tmp_path: Path) -> None:
    from PySide6.QtTest import QTest

    dialog = make()
    gui_draw(dialog, qtbot, 4, Mix.BALANCED, 8)
    f = dialog.form
    f.title.setText("Week 6")
    f.pass_mark.setFocus()
    f.pass_mark.selectAll()
    QTest.keyClicks(f.pass_mark, "75")
    QTest.keyClicks(f.lrs_endpoint, "https://lrs.example.org/xAPI/")
    assert f.pass_mark.value() == 75
    dialog.save_to(tmp_path / "week6")
    back = read_quizset(tmp_path / "week6.bstquiz")
    assert back.pass_mark == 0.75 and back.lrs_endpoint == "https://lrs.example.org/xAPI/"
    assert json.loads((tmp_path / "week6.bstquiz").read_text())["version"] == 2

    plain = make()  # neither set: the file stays version 1, without the keys
    gui_draw(plain, qtbot, 4, Mix.BALANCED, 8)
    plain.form.title.setText("Week 7")
    assert plain.form.pass_mark.text() == "None"
    plain.save_to(tmp_path / "week7")
    data = json.loads((tmp_path / "week7.bstquiz").read_text())
    assert data["version"] == 1 and "pass_mark" not in data and "lrs_endpoint" not in data


@pytest.mark.parametrize(("endpoint", "said"), [
    ("lrs.example.org/xAPI", "must be an http(s) URL"),
    ("https://ana:secret@lrs.example.org/xAPI/", "The LRS endpoint"),
    ("https://lrs.example.org/xAPI/?token=abc", "The LRS endpoint"),
])
def test_a_bad_lrs_endpoint_is_refused_before_saving(make, qtbot, errors, tmp_path: Path,
                                                     endpoint: str, said: str) -> None:
    dialog = make()
    gui_draw(dialog, qtbot, 4, Mix.BALANCED, 8)
    dialog.form.title.setText("Week 8")
    dialog.form.lrs_endpoint.setText(endpoint)
    dialog.save()
    assert said in errors[-1] and "secret" not in errors[-1].replace("no secret", "")
    assert not list(tmp_path.glob("*.bstquiz"))
