"""Opening a dataset from the window: every layout from its folder and its zip, and a
large manifest listed while its images are still checked behind a progress bar."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QThreadPool

from bonescan_tutor.core.cases import Case, Dataset, Diagnosis, Layout, Projection, View
from bonescan_tutor.core.validation import ProblemKind
from bonescan_tutor.datasets import manifest
from bonescan_tutor.datasets.tree import FileTree
from bonescan_tutor.gui.main_window import MainWindow
from tests.builders import scan_array, write_png, zip_tree
from tests.datasets.test_detect import LAYOUTS


@pytest.fixture
def window(qtbot, settings, store) -> Iterator[MainWindow]:
    w = MainWindow(settings, store=store, trainee="Ana")
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    yield w
    # What follows the first case (tools, annotations, the sender) is let run before the
    # window is closed, as every other window test does (tests/gui/windows.py).
    for _ in range(100):
        if not w.waiting_for_first_case:
            break
        qtbot.wait(20)
    QThreadPool.globalInstance().waitForDone(20_000)
    qtbot.wait(20)


def drawn(w: MainWindow) -> Case | None:
    """The case the viewer shows, once both its views are on screen."""
    case = w.viewer.presenter.case
    shown = all(w.displayed(p) is not None for p in Projection)
    return case if shown else None


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("packed", [False, True], ids=["folder", "zip"])
def test_every_layout_opens_in_the_window_from_its_folder_and_its_zip(
    qtbot, window: MainWindow, tmp_path: Path, layout: str, packed: bool
) -> None:
    folder = LAYOUTS[layout](tmp_path / "set")
    path = zip_tree(folder, tmp_path / "set.zip") if packed else folder
    window.open_dataset(path)
    qtbot.waitUntil(
        lambda: window.dataset is not None and drawn(window) is not None, timeout=20_000
    )
    assert window.dataset.layout.value == layout
    assert window.dataset.root == str(path)
    assert drawn(window) is window.library.shown[0]
    assert f"[{layout}]" in window.statusBar().currentMessage()


ROWS = 100


def big_manifest(root: Path, rows: int = ROWS, missing_at: int | None = None) -> Path:
    """``rows`` cases sharing two images; the row ``missing_at`` names files that are gone."""
    write_png(root / "img" / "a.png", scan_array(1))
    write_png(root / "img" / "p.png", scan_array(2))
    lines = ["case,anterior,posterior,diagnosis"]
    for i in range(rows):
        ant, post = ("gone-a.png", "gone-p.png") if i == missing_at else ("a.png", "p.png")
        lines.append(f"k{i:03d},img/{ant},img/{post},{'abnormal' if i % 2 else 'normal'}")
    (root / "manifest.csv").write_text("\n".join(lines) + "\n")
    return root


class Gate:
    """Holds the image checks of one folder at a given probe until it is opened."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, folder: Path, at: int) -> None:
        self.folder, self.at = str(folder), at
        self.open = threading.Event()
        self.probes = 0
        real = FileTree.probe

        def probe(tree: FileTree, rel: str):
            if str(tree.root) == self.folder:
                self.probes += 1
                if self.probes == self.at:
                    assert self.open.wait(30), "the test never opened the gate"
            return real(tree, rel)

        monkeypatch.setattr(FileTree, "probe", probe)


@pytest.fixture
def small_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Progress every 10 rows and a preview every 20, so 100 rows show the stages."""
    monkeypatch.setattr(manifest, "STEP_ROWS", 10)
    monkeypatch.setattr(manifest, "PREVIEW_STEPS", 2)


def test_a_large_manifest_is_listed_while_its_images_are_checked(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_steps: None
) -> None:
    folder = big_manifest(tmp_path / "big", missing_at=90)
    gate = Gate(monkeypatch, folder, at=2 * 50)  # the checks stop at row 50
    reports: list[int] = []
    monkeypatch.setattr(window, "show_report", lambda: reports.append(len(window.report)))
    bar = window.library.checking
    values: list[int] = []
    bar.valueChanged.connect(values.append)
    window.open_dataset(folder)

    qtbot.waitUntil(lambda: drawn(window) is not None and bar.value() >= 40, timeout=20_000)
    first = window.library.shown[0]
    assert drawn(window) is first and first.key == "k000"
    assert 0 < window.library.table.rowCount() < ROWS  # the first rows, before the checks end
    assert bar.isVisible() and 0 < bar.value() < bar.maximum() == ROWS
    assert "cases checked so far" in window.statusBar().currentMessage()
    assert (
        window.library.count.text().endswith(f" of {ROWS}")
        and "checked so far: " in window.library.count.text()
    )
    assert not window.actions["quick_quiz"].isEnabled()
    window.quick_quiz()
    assert "still being checked" in window.statusBar().currentMessage()
    assert window.quiz is None

    with qtbot.waitSignal(window.library.checksFinished, timeout=20_000):
        gate.open.set()
    assert not bar.isVisible()
    assert values == sorted(values) and len(set(values)) >= 4 and values[-1] == ROWS
    assert window.library.table.rowCount() == ROWS - 1  # the row of missing files left out
    assert window.library.current_case() is first  # the case on screen stayed
    (gone, _) = window.report.of_kind(ProblemKind.MISSING_VIEW)
    assert gone.file.endswith("gone-a.png") and reports == [len(window.report)]
    assert "99 cases" in window.statusBar().currentMessage()
    assert "3 problem(s), see File > Dataset report" in window.statusBar().currentMessage()
    assert window.dataset.fingerprint != manifest.UNCHECKED
    assert window.actions["quick_quiz"].isEnabled()


def open_held(qtbot, window: MainWindow, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Gate:
    """Open ``folder`` and wait for its first case while its checks are held at row 30."""
    gate = Gate(monkeypatch, folder, at=2 * 30)
    window.open_dataset(folder)
    qtbot.waitUntil(lambda: drawn(window) is not None, timeout=20_000)
    return gate


def test_opening_another_dataset_gives_up_the_check_under_way(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_steps: None
) -> None:
    gate = open_held(qtbot, window, big_manifest(tmp_path / "first"), monkeypatch)
    second = big_manifest(tmp_path / "second", rows=5)
    window.open_dataset(second)
    gate.open.set()
    qtbot.waitUntil(
        lambda: (
            window.dataset is not None
            and window.dataset.root == str(second)
            and window.opening is None
        ),
        timeout=20_000,
    )
    assert QThreadPool.globalInstance().waitForDone(20_000)
    qtbot.wait(50)  # anything the first reading still sent has been delivered
    assert window.dataset.root == str(second) and len(window.library.shown) == 5
    assert gate.probes < 2 * ROWS  # the first check stopped where it was
    assert not window.library.checking.isVisible()


def test_closing_the_window_gives_up_the_check_under_way(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_steps: None
) -> None:
    gate = open_held(qtbot, window, big_manifest(tmp_path / "big"), monkeypatch)
    window.close()
    gate.open.set()
    assert QThreadPool.globalInstance().waitForDone(20_000)
    assert gate.probes < 2 * ROWS


def test_the_library_formats_only_the_rows_it_shows(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bonescan_tutor.gui.library import table as model

    write_png(tmp_path / "a.png", scan_array(1))
    view = View(
        Projection.ANTERIOR,
        str(tmp_path / "a.png"),
        size_bytes=1,
        width=256,
        height=1024,
        mode="I;16",
    )
    cases = tuple(Case(f"c{i}", Diagnosis.NO_METASTASES, view, None) for i in range(20_000))
    dataset = Dataset("many", Layout.MANIFEST, str(tmp_path), cases, "f")
    rows: set[int] = set()
    real = model.cell

    def cell(ds: Dataset, case: Case, column: int) -> str:
        rows.add(int(case.key[1:]))
        return real(ds, case, column)

    monkeypatch.setattr(model, "cell", cell)
    window.library.set_dataset(dataset)
    window.library.table.setCurrentCell(0, 0)
    qtbot.wait(50)
    assert window.library.table.rowCount() == 20_000
    assert 0 < len(rows) <= 1_000  # the rows on screen and those sized for the columns
    window.library.step(15_000)
    qtbot.wait(50)
    assert window.library.current_case() is cases[15_000] and 15_000 in rows
    assert np.all([r < 1_000 or r >= 14_000 for r in rows])
