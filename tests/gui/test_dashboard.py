"""The dashboard screen as a resident sees it: label hiding in every cell and label,
the empty state, filters from the bar, PNG export, opening a case, no "nan" anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QListWidget, QWidget

from bonescan_tutor.core.quiz import QuizMode, QuizSpec
from bonescan_tutor.gui.results.model import OLDER_DATASET, DashboardFilter
from bonescan_tutor.gui.results.presenter import due_loader, progress_loader
from bonescan_tutor.gui.results.screen import PLOT_NAMES, DashboardScreen
from bonescan_tutor.storage.progress import ProgressStore
from tests.gui.dashboard_data import (
    CURRENT,
    OLD,
    SECRET_KEY,
    M,
    attempt,
    hidden_exam,
    session,
    six,
)


def make_screen(qtbot, attempts, sessions, fingerprint=CURRENT) -> DashboardScreen:
    screen = DashboardScreen(lambda flt: (attempts, sessions), fingerprint)
    qtbot.addWidget(screen)
    screen.resize(1366, 768)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def table_cells(screen: DashboardScreen) -> list[str]:
    model = screen.table.model()
    return [
        str(model.data(model.index(r, c)))
        for r in range(model.rowCount())
        for c in range(model.columnCount())
    ]


def visible_texts(screen: QWidget) -> list[str]:
    """Every label, list item, combo entry, plot title and table cell in the screen."""
    texts = [label.text() for label in screen.findChildren(QLabel)]
    for lst in screen.findChildren(QListWidget):
        texts += [lst.item(i).text() for i in range(lst.count())]
    for combo in (screen.session_combo, screen.quiz_combo, screen.dataset_combo):
        texts += [combo.itemText(i) for i in range(combo.count())]
    for panel in screen.plots.values():
        texts.append(panel.plot.getPlotItem().titleLabel.text)
    return texts + table_cells(screen)


def test_unrevealed_exam_answers_appear_nowhere(qtbot, settings) -> None:
    exam_rows, exam = hidden_exam()
    screen = make_screen(qtbot, six() + exam_rows, [session(1), exam])
    cells = table_cells(screen)
    assert screen.table.model().rowCount() == 6
    assert SECRET_KEY not in cells and "8" not in cells
    assert not any("777" in text or "13 min" in text for text in visible_texts(screen))
    cards = {card.title.text(): card for card in screen.cards}
    assert cards["Cases read"].value.text() == "6"
    times = screen.plots["times"].plot.getPlotItem().listDataItems()[0]
    assert max(times.yData) == 30.0
    assert "2 answers from an exam not yet submitted" in screen.notice.text()


def test_no_nan_text_anywhere(qtbot, settings) -> None:
    from tests.gui.dashboard_data import N

    only_clean = [attempt(1, "101", N, N, 80), attempt(2, "102", N, None)]
    screen = make_screen(qtbot, only_clean, [session(1)])
    texts = visible_texts(screen)
    assert texts
    for text in texts:
        assert "nan" not in text.lower().split(), text
        assert "nan %" not in text.lower() and "inf" not in text.lower(), text
    cards = {card.title.text(): card for card in screen.cards}
    assert "No case with metastases" in cards["Sensitivity"].detail.text()


def test_the_empty_state_is_a_message_not_empty_plots(qtbot, settings) -> None:
    screen = make_screen(qtbot, [], [])
    assert screen.pages.currentIndex() == 0
    assert "No answers yet" in screen.empty_title.text()
    assert screen.empty_hint.text() == "Take a practice quiz: Quiz > Quick quiz"
    assert screen.empty_title.isVisible() and not screen.tabs.isVisible()


def test_headline_cards_match_a_hand_count(qtbot, settings) -> None:
    screen = make_screen(qtbot, six(), [session(1)])
    cards = {card.title.text(): card for card in screen.cards}
    # 3 metastatic cases, 2 found; 3 clean, 2 called clean: 67 % each, 4/6 right
    assert cards["Sensitivity"].value.text() == "67 %"
    assert cards["Sensitivity"].detail.text().endswith(", 2/3")
    assert cards["Specificity"].value.text() == "67 %"
    assert cards["Accuracy"].detail.text().endswith(", 4/6")
    assert screen.plots["roc"].title.startswith("ROC curve — AUC ")


def test_older_dataset_rows_are_flagged(qtbot, settings) -> None:
    rows = [*six(), attempt(7, "55", M, M, 90, sid=3, fingerprint=OLD)]
    screen = make_screen(qtbot, rows, [session(1), session(3, fingerprint=OLD)])
    model = screen.table.model()
    assert model.data(model.index(0, 2)) == "55"
    assert model.data(model.index(0, 8)) == OLDER_DATASET
    assert "older" in model.data(model.index(0, 8), Qt.ItemDataRole.ToolTipRole)


def test_filter_bar_reloads_with_the_chosen_session(qtbot, settings) -> None:
    asked: list[DashboardFilter] = []
    later = [attempt(20 + i, f"k{i}", M, M, 90, sid=2) for i in range(3)]

    def load(flt):
        asked.append(flt)
        return six() + later, [session(1), session(2, "Axial set")]

    screen = DashboardScreen(load, CURRENT)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitExposed(screen)
    combo = screen.session_combo
    assert combo.count() == 3  # "All sessions" + 2
    combo.setCurrentIndex(combo.findData(2))
    assert asked[-1] == DashboardFilter(session_id=2)
    assert screen.table.model().rowCount() == 3
    assert screen.session_combo.currentData() == 2  # kept after the menus were rebuilt
    screen.quiz_combo.setCurrentIndex(screen.quiz_combo.findData("Quick quiz"))
    assert screen.pages.currentIndex() == 0  # session 2 is not a "Quick quiz": nothing left
    assert "No answers match" in screen.empty_title.text()


@pytest.mark.parametrize("name", PLOT_NAMES)
def test_export_png_writes_the_plot_at_its_size(qtbot, settings, tmp_path: Path, name) -> None:
    screen = make_screen(qtbot, six(), [session(1)])
    out = screen.export_png(name, tmp_path / f"{name}.png")
    assert out.stat().st_size > 1000
    image = QImage(str(out))
    plot = screen.plots[name].plot
    ratio = plot.devicePixelRatioF()
    assert (image.width(), image.height()) == (
        round(plot.width() * ratio), round(plot.height() * ratio)
    )
    assert image.width() > 200 and image.height() > 150


def test_export_menu_emits_the_kind(qtbot, settings) -> None:
    screen = make_screen(qtbot, six(), [session(1)])
    for kind in ("xlsx", "csv", "imrmc", "rjafroc"):
        with qtbot.waitSignal(screen.exportRequested) as signal:
            screen.export_actions[kind].trigger()
        assert signal.args == [kind]


def test_double_click_on_a_row_opens_that_case(qtbot, settings) -> None:
    screen = make_screen(qtbot, six(), [session(1)])
    screen.tabs.setCurrentIndex(1)
    table = screen.table
    index = table.model().index(2, 0)  # third newest: attempt 4, case "101"
    rect = table.visualRect(index)
    with qtbot.waitSignal(screen.openCase) as signal:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == ["101"]


def test_double_click_on_a_leech_opens_it(qtbot, settings) -> None:
    from tests.gui.dashboard_data import N

    rows = [attempt(i, "42", M, N, 70) for i in range(1, 4)]
    screen = make_screen(qtbot, rows, [session(1)])
    item = screen.leeches.item(0)
    assert "missed 3 of 3" in item.text()
    with qtbot.waitSignal(screen.openCase) as signal:
        screen.leeches.itemDoubleClicked.emit(item)
    assert signal.args == ["42"]


def test_invalidate_reloads_only_when_visible(qtbot, settings) -> None:
    calls = []

    def load(flt):
        calls.append(flt)
        return six(), [session(1)]

    screen = DashboardScreen(load, CURRENT)
    qtbot.addWidget(screen)
    screen.invalidate()
    assert calls == []  # hidden: waits to be shown
    screen.show()
    qtbot.waitExposed(screen)
    assert len(calls) == 1
    screen.invalidate()
    assert len(calls) == 2


def test_progress_loader_reads_a_real_file_and_hides_unrevealed(qtbot, settings, tmp_path) -> None:
    from bonescan_tutor.core.answers import Answer
    from bonescan_tutor.core.cases import Diagnosis

    with ProgressStore.open(tmp_path / "p.sqlite3") as store:
        ana = store.get_or_create_trainee("Ana")
        practice = store.start_session(
            ana, QuizSpec("p", "Quick quiz", ("1", "2"), QuizMode.PRACTICE), "demo", CURRENT
        )
        exam = store.start_session(
            ana, QuizSpec("e", "Exam", ("3",), QuizMode.EXAM), "demo", CURRENT
        )
        for n, (sid, key, shown) in enumerate([(practice, "1", True), (practice, "2", True),
                                                (exam, "3", False)]):
            a = Answer(key, n + 1, Diagnosis.METASTASES, 80, 1e9 + n, 1e9 + n + 9, 9.0)
            store.record_attempt(sid, a, Diagnosis.METASTASES, CURRENT, label_shown=shown)
        screen = DashboardScreen(progress_loader(store, ana), CURRENT)
        qtbot.addWidget(screen)
        screen.show()
        qtbot.waitExposed(screen)
        assert screen.table.model().rowCount() == 2
        assert "3" not in [screen.table.model().data(screen.table.model().index(r, 2))
                           for r in range(2)]
        store.finish_session(exam, submitted=True)
        screen.invalidate()
        assert screen.table.model().rowCount() == 3
        assert screen.table.model().data(QModelIndex()) is None


def test_the_dashboard_says_how_many_cases_are_due_today(qtbot, settings, tmp_path) -> None:
    import datetime as dt

    from bonescan_tutor.core import review
    from bonescan_tutor.core.answers import Answer
    from bonescan_tutor.core.cases import Diagnosis

    M, N = Diagnosis.METASTASES, Diagnosis.NO_METASTASES
    t0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
    now = [t0]
    with ProgressStore.open(tmp_path / "p.sqlite3") as store:
        ana = store.get_or_create_trainee("Ana")
        sid = store.start_session(
            ana, QuizSpec("p", "Quick quiz", ("1", "2", "3"), QuizMode.PRACTICE), "demo", CURRENT
        )
        # Two misses and one sure right answer: two cases enter review.
        for n, (key, truth, decision) in enumerate([("1", M, N), ("2", N, M), ("3", M, M)]):
            at = t0.timestamp() + 60 * n
            a = Answer(key, n + 1, decision, 90, at - 9, at, 9.0)
            card = review.review(None, decision is truth, 90, t0 + dt.timedelta(minutes=n))
            store.record_attempt(sid, a, truth, CURRENT, label_shown=True, review_card=card)
        screen = DashboardScreen(progress_loader(store, ana), CURRENT,
                                 due_today=due_loader(store, ana, lambda: now[0]))
        qtbot.addWidget(screen)
        screen.show()
        qtbot.waitExposed(screen)
        assert screen.due.isVisible()
        assert screen.due.text() == "No case is due for review today."
        now[0] = t0 + dt.timedelta(days=1)  # the next morning: both misses are due
        screen.invalidate()
        assert screen.due.text().startswith("2 cases due for review today")


def test_every_answer_box_switches_what_the_figures_count(qtbot, settings) -> None:
    from tests.gui.dashboard_data import N

    rows = [*six(), attempt(7, "12", M, M, 90), attempt(8, "12", M, N, 60)]  # 12 read 3 times
    screen = make_screen(qtbot, rows, [session(1)])
    cards = {card.title.text(): card for card in screen.cards}
    assert cards["Cases read"].value.text() == "6"
    assert "latest answer per case (2 earlier answers" in screen.notice.text()
    assert screen.table.model().rowCount() == 8  # the table lists every answer
    screen.all_check.click()
    assert screen.presenter.filter.all_attempts
    assert cards["Cases read"].value.text() == "8"
    assert "count every answer" in screen.notice.text()
