"""The quiz screen: the scans, the answer panel, the feedback, the end of the session.

A dumb view of ``QuizPresenter``: it shows what it is handed and reports clicks. The
case on screen is named only by its alias until the presenter reveals its label.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bonescan_tutor.core.annotations import AnnotationSet
from bonescan_tutor.core.answers import CERTAINTY_LEVELS
from bonescan_tutor.core.cases import Case, Diagnosis, Layout
from bonescan_tutor.core.overlays import HOTSPOTS
from bonescan_tutor.core.quiz import QuizMode
from bonescan_tutor.core.quiz_session import QuizSession, SessionState
from bonescan_tutor.datasets.cache import ImageCache
from bonescan_tutor.gui import action_specs as shared
from bonescan_tutor.gui.actions import key_text, with_key
from bonescan_tutor.gui.quiz.end_screen import EndScreen
from bonescan_tutor.gui.quiz.presenter import EndOfSession, Feedback, Progress, QuizPresenter
from bonescan_tutor.gui.viewer.annotation_feedback import feedback_for
from bonescan_tutor.gui.viewer.annotation_overlay import AnnotationOverlay, AnnotationPanel
from bonescan_tutor.gui.viewer.screen import ViewerScreen

ANSWER_SO_FAR = "Your answer so far: "


def certainty_keys() -> str:
    """The keys that set the certainty, from the commands that own them."""
    levels = list(shared.CERTAINTIES.values())
    return (f"keys {key_text(levels[0].key or '')} … {key_text(levels[-1].key or '')}, or "
            f"{key_text(shared.CERTAINTY_DOWN.key or '')} and {key_text(shared.CERTAINTY_UP.key or '')}")


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class QuizScreen(QWidget):
    """The whole quiz page; ``presenter`` is attached with ``attach``."""

    finished = Signal()  # the trainee left the end screen
    reviewRequested = Signal(list)  # case keys of the missed cases

    def __init__(self, settings: QSettings, cache: ImageCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presenter: QuizPresenter | None = None
        self.case: Case | None = None
        self.viewer = ViewerScreen(settings, cache, remember=False)
        self.pages = QStackedWidget()
        reading = QWidget()
        column = QVBoxLayout(reading)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self._header())
        row = QHBoxLayout()
        row.addWidget(self.viewer, 1)
        row.addWidget(self._answer_panel())
        column.addLayout(row, 1)
        self.pages.addWidget(reading)
        self.end = EndScreen(settings, cache)
        self.end.reviewRequested.connect(self.reviewRequested)
        self.end.closed.connect(self.finished)
        self.pages.addWidget(self.end)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        self.viewer.scans.clicked.connect(self._clicked)
        self.annotations: AnnotationSet | None = None
        self.overlay = AnnotationOverlay(self.viewer.scans)

    def set_annotations(self, annotations: AnnotationSet | None) -> None:
        """The open dataset's expert annotations (None: none): feedback and the exam
        review then show them beside the trainee's marks."""
        self.annotations = annotations
        self.end.annotations = annotations

    # --- layout --------------------------------------------------------------------------
    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setContentsMargins(8, 4, 8, 4)
        self.alias = QLabel("")
        self.alias.setObjectName("caseAlias")
        self.alias.setStyleSheet("font-size: 18pt; font-weight: bold")
        self.title = QLabel("")
        self.progress_bar = QProgressBar()
        self.progress_bar.setFormat("%v / %m")
        self.progress_bar.setMaximumWidth(260)
        self.timer_label = QLabel("")
        self.timer_label.setMinimumWidth(170)
        self.pause_button = QPushButton("Pause")
        self.pause_button.clicked.connect(self.toggle_pause)
        for w in (self.alias, self.title):
            row.addWidget(w)
        row.addStretch(1)
        for w in (self.progress_bar, self.timer_label, self.pause_button):
            row.addWidget(w)
        return row

    def _answer_panel(self) -> QWidget:
        panel = QFrame()
        panel.setFixedWidth(330)
        outer = QVBoxLayout(panel)
        # What the trainee answers with; set aside while the feedback is shown (it repeats
        # the answer and the clinical details), so the expert's list has the room.
        self.answer_block = QWidget()
        outer.addWidget(self.answer_block)
        column = QVBoxLayout(self.answer_block)
        column.setContentsMargins(0, 0, 0, 0)
        self.instructions = QLabel("")
        self.instructions.setWordWrap(True)
        column.addWidget(self.instructions)
        self.clinical = QLabel("")
        self.clinical.setWordWrap(True)
        column.addWidget(self.clinical)
        certainty_label = QLabel(f"<b>How certain are you? (%)</b><br>{certainty_keys()}")
        column.addWidget(certainty_label)
        certainty_row = QHBoxLayout()
        self.certainty_group = QButtonGroup(self)
        self.certainty_group.setExclusive(True)
        for c in CERTAINTY_LEVELS:
            b = QPushButton(str(c))
            b.setCheckable(True)
            b.setMinimumWidth(44)
            b.setAccessibleName(f"certainty {c} percent")
            self.certainty_group.addButton(b, c)
            certainty_row.addWidget(b)
        self.certainty_group.idClicked.connect(self._certainty_clicked)
        column.addLayout(certainty_row)
        self.answer_buttons: dict[Diagnosis, QPushButton] = {}
        for d, text in ((Diagnosis.METASTASES, "Metastases"), (Diagnosis.NO_METASTASES, "No metastases")):
            b = QPushButton(with_key(text, shared.ANSWERS[d]))
            b.setMinimumHeight(54)
            b.setStyleSheet("font-size: 14pt; font-weight: bold")
            b.clicked.connect(lambda _=False, d=d: self.answer(d))
            self.answer_buttons[d] = b
            column.addWidget(b)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note (optional)")
        column.addWidget(self.note)
        column = outer
        self.marks_hint = QLabel("Click a suspicious spot to mark it; click a mark to remove it.")
        self.marks_hint.setWordWrap(True)
        column.addWidget(self.marks_hint)
        self.feedback = QLabel("")
        self.feedback.setWordWrap(True)
        self.feedback.setTextFormat(Qt.TextFormat.RichText)
        self.feedback.setObjectName("feedback")
        column.addWidget(self.feedback)
        self.lesion_panel = AnnotationPanel()
        column.addWidget(self.lesion_panel, 1)
        nav = QHBoxLayout()
        self.previous_button = QPushButton("◀ Previous")
        self.previous_button.clicked.connect(lambda: self.go(-1))
        self.next_button = QPushButton(with_key("Next case ▶", shared.QUIZ_NEXT))
        self.next_button.clicked.connect(self.next_case)
        nav.addWidget(self.previous_button)
        nav.addWidget(self.next_button)
        column.addLayout(nav)
        self.submit_button = QPushButton(with_key("Submit the exam", shared.SUBMIT))
        self.submit_button.clicked.connect(self.submit)
        column.addWidget(self.submit_button)
        self.case_list = QListWidget()
        self.case_list.itemActivated.connect(lambda item: self._go_to(self.case_list.row(item) + 1))
        column.addWidget(self.case_list, 1)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #e8c26b")
        column.addWidget(self.message)
        return panel

    # --- attaching -----------------------------------------------------------------------
    def attach(self, presenter: QuizPresenter) -> None:
        self.presenter = presenter
        presenter.listeners.append(self._refresh_controls)
        spec_title = ""
        if presenter.session is not None:
            spec_title = presenter.session.spec.title
        self.title.setText(spec_title)
        self.pages.setCurrentIndex(0)
        self.timer.start()

    def detach(self) -> None:
        self.timer.stop()
        self.viewer.limit_tools(None)
        self.presenter = None
        self.case = None
        self.viewer.clear()

    # --- QuizView ------------------------------------------------------------------------
    def _layout(self) -> Layout | None:
        """The open dataset's layout: its class names are the ones shown."""
        return self.presenter.dataset.layout if self.presenter is not None else None

    def show_case(self, case: Case, progress: Progress) -> None:
        self.pages.setCurrentIndex(0)
        p = self.presenter
        for d, b in self.answer_buttons.items():
            b.setText(with_key(d.answer_in(self._layout()), shared.ANSWERS[d]))
        spec = p.session.spec if p and p.session else None
        if spec is not None and p is not None:
            self.viewer.limit_tools(spec.tools_allowed, p.note_tool)
            self.title.setText(spec.title)
            self.instructions.setText(spec.instructions)
            self.instructions.setVisible(bool(spec.instructions))
        if case is not self.case:
            self.case = case
            self.note.clear()
            # Overlays start off on each case; feedback turns the hot spots on.
            self.viewer.presenter.state = replace(self.viewer.presenter.state, overlays=frozenset())
            practice = spec is not None and spec.mode is QuizMode.PRACTICE
            self.viewer.show_case(case, self._neighbours(), private=True,
                                  analyse_ahead=practice)  # feedback shows the hot spots
        self.feedback.setText("")
        self.overlay.clear()
        self.lesion_panel.show_feedback(None)
        self.show_progress(progress)

    def show_progress(self, progress: Progress) -> None:
        self.alias.setText(progress.alias)
        self.progress_bar.setMaximum(progress.total)
        self.progress_bar.setValue(progress.answered)
        self.clinical.setText("<br>".join(progress.clinical_lines))
        self.clinical.setVisible(bool(progress.clinical_lines))
        parts = [f"case {_clock(progress.elapsed_case_s)}"]
        if progress.remaining_case_s is not None:
            parts.append(f"left {_clock(progress.remaining_case_s)}")
        if progress.remaining_total_s is not None:
            parts.append(f"quiz left {_clock(progress.remaining_total_s)}")
        self.timer_label.setText("  ".join(parts))
        paused = progress.state is SessionState.PAUSED
        self.pause_button.setText("Resume" if paused else "Pause")
        self.viewer.setVisible(not paused)
        if paused:
            self.message.setText("Paused: the images are hidden and the clock is stopped.")
        elif self.message.text().startswith("Paused"):
            self.message.setText("")
        if progress.mode is QuizMode.EXAM:
            self._fill_case_list(progress)
        self._refresh_controls()

    def show_feedback(self, feedback: Feedback, running: str) -> None:
        a = feedback.answer
        right = a.correct
        verdict = ("<span style='color:#4cd964;font-size:16pt'>✔ Correct</span>" if right else
                   "<span style='color:#ff6b5a;font-size:16pt'>✘ Not correct</span>")
        if a.timed_out:
            verdict = "<span style='color:#ff9f0a;font-size:16pt'>⏱ Time ran out</span>"
        yours = ("no answer" if a.decision is None else
                 f"{a.decision.answer_in(self._layout())}"
                 + (f" at {a.certainty} %" if a.certainty else ""))
        lines = [verdict,
                 f"Physician's label: <b>{feedback.truth.label_in(self._layout())}</b>",
                 f"Your answer: {yours}, in {a.time_on_case_s:.0f} s",
                 f"Case key: {a.case_key}"]
        lines += feedback.clinical.lines()
        if feedback.clinical.note:
            lines.append(f"<i>Teaching note: {feedback.clinical.note}</i>")
        expert = feedback_for(self.annotations, a.case_key, feedback.truth.is_positive, a.marks)
        if expert is not None:
            lines.append("The expert's marks are drawn on the scans (the legend is below).")
        elif a.marks:
            lines.append(f"Your {len(a.marks)} mark(s) are the blue crosses, beside the "
                         "symmetry hot spots (orange circles).")
        lines.append(running)
        self.feedback.setText("<br>".join(lines))
        self.viewer.scans.show_marks(list(a.marks))
        self.viewer.presenter.set_overlay(HOTSPOTS, True)
        self.overlay.show(expert)
        self.lesion_panel.show_feedback(expert)
        self._refresh_controls()

    def show_end(self, end: EndOfSession) -> None:
        self.timer.stop()
        p = self.presenter
        self.end.show_end(end, p.dataset.case if p is not None else None, self._layout())
        self.pages.setCurrentIndex(1)

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    # --- actions -------------------------------------------------------------------------
    def answer(self, decision: Diagnosis) -> None:
        p = self.presenter
        if p is None or not self._can_answer():
            return
        spec = p.session.spec if p.session else None
        if spec is not None and spec.certainty_required and p.certainty is None:
            self.message.setText("Pick how certain you are first (50-100 %).")
            return
        self.message.setText("")
        p.answer(decision, note=self.note.text().strip())

    def next_case(self) -> None:
        p = self.presenter
        if p is None or p.session is None:
            return
        s = p.session
        if s.state is SessionState.FEEDBACK or (s.mode is QuizMode.EXAM and s.state is SessionState.SHOWING):
            p.next()

    def go(self, delta: int) -> None:
        p = self.presenter
        if p is None or p.session is None or p.session.mode is not QuizMode.EXAM:
            return
        target = p.session.position + delta
        if 1 <= target <= p.session.total:
            self._go_to(target)

    def _go_to(self, position: int) -> None:
        p = self.presenter
        s = p.session if p is not None else None
        if (p is not None and s is not None and s.mode is QuizMode.EXAM
                and s.state is SessionState.SHOWING and not s.is_closed(position)):
            p.go_to(position)

    def submit(self) -> None:
        p = self.presenter
        if p is None or p.session is None or p.session.mode is not QuizMode.EXAM:
            return
        from PySide6.QtWidgets import QMessageBox

        missing = p.session.unanswered_positions()
        text = "Submit the exam? Your answers are then locked and the results shown."
        if missing:
            text = f"{len(missing)} case(s) have no answer yet. " + text
        if QMessageBox.question(self, "Submit the exam", text) == QMessageBox.StandardButton.Yes:
            p.submit()

    def toggle_pause(self) -> None:
        p = self.presenter
        if p is None or p.session is None:
            return
        if p.session.state is SessionState.PAUSED:
            p.resume_paused()
        elif p.session.state in (SessionState.SHOWING, SessionState.FEEDBACK):
            p.pause()

    def _clicked(self, projection, x: float, y: float) -> None:
        p = self.presenter
        if p is not None and self._can_answer():
            p.toggle_mark(projection, x, y)
            self.viewer.scans.show_marks(list(p.marks))

    def _tick(self) -> None:
        if self.presenter is not None:
            self.presenter.tick()

    def _certainty_clicked(self, certainty: int) -> None:
        if self.presenter is not None and self._can_answer():
            self.presenter.set_certainty(certainty)

    # --- helpers -------------------------------------------------------------------------
    def _can_answer(self) -> bool:
        p = self.presenter
        return p is not None and p.session is not None and p.session.state is SessionState.SHOWING

    def _neighbours(self) -> list[Case]:
        p = self.presenter
        if p is None or p.session is None:
            return []
        s = p.session
        i = s.position - 1
        return [p.dataset.case(s.order[j]) for j in (i + 1, i + 2) if j < s.total]

    def _fill_case_list(self, progress: Progress) -> None:
        p = self.presenter
        if p is None or p.session is None:
            return
        s = p.session
        if self.case_list.count() != s.total:
            self.case_list.clear()
            self.case_list.addItems([""] * s.total)
        for pos in range(1, s.total + 1):
            a = s.attempt_at(pos)
            status = ("time ran out" if s.is_closed(pos) else
                      "answered" if a is not None and a.decision is not None else "open")
            item = self.case_list.item(pos - 1)
            item.setText(f"{'▶ ' if pos == progress.position else ''}Case {pos} of {s.total} — {status}")

    def _refresh_controls(self) -> None:
        p = self.presenter
        s = p.session if p else None
        state = s.state if s is not None else None
        exam = s is not None and s.mode is QuizMode.EXAM
        showing = state is SessionState.SHOWING
        feedback = state is SessionState.FEEDBACK
        self._enable_answering(showing)
        last = s is not None and feedback and s.position == s.total
        self._show_navigation(exam, showing, feedback, last)
        self.marks_hint.setVisible(showing)
        if p is not None and showing:
            self.viewer.scans.show_marks(list(p.marks))
        self._say_answer_so_far(s if exam and showing else None)

    def _enable_answering(self, showing: bool) -> None:
        """Answer, certainty and note open while a case asks; the certainty buttons show
        the presenter's certainty, none when it is not set."""
        p = self.presenter
        for b in self.answer_buttons.values():
            b.setEnabled(showing)
        # An exclusive group keeps its checked button when told to uncheck it: the next
        # case would show the last certainty although none is set.
        self.certainty_group.setExclusive(False)
        for b in self.certainty_group.buttons():
            b.setEnabled(showing)
            b.setChecked(p is not None and p.certainty == self.certainty_group.id(b))
        self.certainty_group.setExclusive(True)
        self.note.setEnabled(showing)

    def _show_navigation(self, exam: bool, showing: bool, feedback: bool, last: bool) -> None:
        """Next once feedback is shown (an exam moves on freely); Finish on the last case;
        previous, submit and the case list in an exam only."""
        self.answer_block.setVisible(not feedback)
        self.next_button.setEnabled(feedback or (exam and showing))
        self.next_button.setText(with_key("Finish" if last else "Next case ▶", shared.QUIZ_NEXT))
        self.previous_button.setVisible(exam)
        self.submit_button.setVisible(exam)
        self.case_list.setVisible(exam)

    def _say_answer_so_far(self, exam: QuizSession | None) -> None:
        """The answer so far to the exam case on screen, or clear that line when it was said
        of another case (``exam`` is None outside an exam case that asks)."""
        current = exam.attempt_at(exam.position) if exam is not None else None
        if current is not None and current.decision is not None:
            self.message.setText(f"{ANSWER_SO_FAR}{current.decision.answer_in(self._layout())}"
                                 + (f" at {current.certainty} %" if current.certainty else "")
                                 + ". Answer again to change it.")
        elif self.message.text().startswith(ANSWER_SO_FAR):
            self.message.setText("")  # said of another case
